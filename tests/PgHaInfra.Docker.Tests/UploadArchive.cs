using System.Formats.Tar;
using PgHaInfra.Deployment;

namespace PgHaInfra.Docker.Tests;

/// <summary>
/// The uploads as one tar stream, built the way the Docker provider builds each upload: the file at its path, owned by
/// root, mode 0744 or 0644, no directory entries (the engine makes missing parents).
/// </summary>
public static class UploadArchive
{
    public static byte[] Of(IEnumerable<Upload> uploads)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var upload in uploads)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, upload.Path.TrimStart('/'))
                {
                    Mode = (UnixFileMode)upload.Mode,
                    Uid = 0,
                    Gid = 0,
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(upload.Content.Text)),
                };
                writer.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }
}

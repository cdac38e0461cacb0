using System.Runtime.InteropServices;
using System.Text;

namespace PgHaInfra.Stack;

/// <summary>
/// Reads a stack file's text, refusing anything that is not a regular file of a sane size before it is opened: a FIFO
/// would block the read forever, and /dev/zero (or a symlink to it) would fill memory.
/// </summary>
public static class StackFileText
{
    /// <summary>The largest stack file read. Real ones are a few kB; Pulumi's encrypted secrets add little.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The text, or the problem that stopped it being read (for a (file) error).</summary>
    public static async Task<(string? Text, string? Problem)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (TypeOf(path) is { } type && type != FileKind.Regular)
            {
                return (null, $"is not a regular file but {Describe(type)}; only regular files are read");
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return (null, "does not exist");
            }

            if (info.Length > MaxBytes)
            {
                return (null, $"is {info.Length} bytes, more than a stack file may be ({MaxBytes} bytes)");
            }

            // Read at most one byte past the cap, so a file that grows while it is read is still refused, never slurped.
            await using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, Options = FileOptions.Asynchronous });
            var buffer = new byte[MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return (null, $"is more than a stack file may be ({MaxBytes} bytes)");
            }

            return (new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer, 0, length).TrimStart('\ufeff'), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, "is not UTF-8 text");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot be read: {e.Message.TrimEnd('.')}");
        }
    }

    internal enum FileKind
    {
        Regular,
        Directory,
        Fifo,
        CharacterDevice,
        BlockDevice,
        Socket,
        Other,
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => "a special file",
    };

    /// <summary>
    /// The file's type after following symlinks, from statx(2) (its layout is the same on every Linux architecture);
    /// null where that is not available, and then only the size cap protects the read. .NET reports a FIFO and a
    /// device as "Normal", so this asks the kernel.
    /// </summary>
    internal static FileKind? TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Directory.Exists(path) ? FileKind.Directory : null;
        }

        var buffer = new byte[256];
        if ((Call(() => StatxGlibc(AtFdCwd, path, 0, StatxType, buffer)) ?? Call(() => Statx(AtFdCwd, path, 0, StatxType, buffer))) is not 0)
        {
            return null;
        }

        var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    /// <summary>The call's result, or null where this libc has no statx (a very old glibc, another C library).</summary>
    private static int? Call(Func<int> statx)
    {
        try
        {
            return statx();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;

    // DllImport, not LibraryImport: the latter needs unsafe code, and a pinned byte array is all this call passes.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    // glibc by its soname: "libc" alone resolves through libc.so, which is a linker script where libc6-dev is installed.
    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int StatxGlibc(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
}

using System.Diagnostics;
using PgHaInfra.Stack;

namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>
/// The corpus's cases that need a file system or a process: special files, sizes, stack names, and pgha's own exit
/// codes and stderr (quoting, missing option values, conflicting options, unwritable and unreadable places).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileFilesAndCliTests : IDisposable
{
    private const string FileAllowed = "a regular YAML file of at most 1048576 bytes";
    private const string NameAllowed = "a stack name: a letter or digit, then letters, digits, '-', '_' or '.', at most 100 characters";

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("pgha-hostile-");

    public HostileFilesAndCliTests() => dir.UnixFileMode = (UnixFileMode)0b111_101_101;

    public void Dispose()
    {
        dir.UnixFileMode = (UnixFileMode)0b111_101_101;
        dir.Delete(recursive: true);
    }

    private string StackPath(string name) => Path.Combine(dir.FullName, $"Pulumi.{name}.yaml");

    private static async Task<StackError> SingleFileErrorAsync(string path)
    {
        // Bounded: a FIFO used to block the read forever.
        var document = await YamlStackFile.LoadAsync(path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var (spec, errors) = ClusterSpecReader.TryRead(document);
        Assert.Null(spec);
        return Assert.Single(errors);
    }

    public static TheoryData<string, string> SpecialFiles => new()
    {
        { "fifo", "is not a regular file but a FIFO (named pipe); only regular files are read" },
        { "dev-zero", "is not a regular file but a character device; only regular files are read" },
        { "dev-null", "is not a regular file but a character device; only regular files are read" },
        { "directory", "is not a regular file but a directory; only regular files are read" },
        { "too-large", "is 2097152 bytes, more than a stack file may be (1048576 bytes)" },
        { "not-utf8", "is not UTF-8 text" },
    };

    [Theory]
    [MemberData(nameof(SpecialFiles))]
    public async Task A_stack_file_that_is_not_a_small_regular_text_file_is_refused_unread(string kind, string problem)
    {
        var path = StackPath(kind);
        switch (kind)
        {
            case "fifo":
                Assert.Equal(0, await RunAsync("mkfifo", path));
                break;
            case "dev-zero":
                File.CreateSymbolicLink(path, "/dev/zero");
                break;
            case "dev-null":
                File.CreateSymbolicLink(path, "/dev/null");
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "too-large":
                await File.WriteAllTextAsync(path, "config:\n  docker:pad: \"" + new string('x', 2 * 1024 * 1024 - 25) + "\"\n");
                break;
            case "not-utf8":
                await File.WriteAllBytesAsync(path, [.. "config:\n  pg-ha-infra:cluster: "u8.ToArray(), 0xff, 0xfe, (byte)'\n']);
                break;
        }

        var error = await SingleFileErrorAsync(path);

        Assert.Equal($"{path}: (file): {problem}. Allowed: {FileAllowed}", error.ToString());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("../../etc/passwd")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("-x")]
    [InlineData("x y")]
    [InlineData("__default_command")]
    public async Task A_stack_name_outside_the_safe_pattern_is_refused(string name)
    {
        var error = Assert.Single(Assert.Throws<StackValidationException>(() => StackLoader.LoadAsync(new StackCatalog(dir.FullName), name, CancellationToken.None).GetAwaiter().GetResult()).Errors);

        Assert.Equal($"{dir.FullName}: --stack = \"{name}\": is not a stack name. Allowed: {NameAllowed}", error.ToString());
        await Task.CompletedTask;
    }

    [Fact]
    public void A_stack_name_with_control_characters_or_too_long_is_refused_and_shown_escaped()
    {
        foreach (var (name, shown) in new[] { ("x\n", "\"x\\n\""), ("\u001b[31m", "\"\\u001b[31m\""), (new string('a', 101), "\"" + new string('a', 100) + "\"... (101 characters)") })
        {
            var error = Assert.Single(Assert.Throws<StackValidationException>(() => StackLoader.LoadAsync(new StackCatalog(dir.FullName), name, CancellationToken.None).GetAwaiter().GetResult()).Errors);
            Assert.Equal($"{dir.FullName}: --stack = {shown}: is not a stack name. Allowed: {NameAllowed}", error.ToString());
        }
    }

    [Fact]
    public async Task A_stack_file_whose_name_is_no_stack_name_is_reported_by_validate_all()
    {
        await File.WriteAllTextAsync(StackPath("a b"), "config:\n  pg-ha-infra:topology: single\n  pg-ha-infra:nodes:\n    - name: pg-1\n      port: 15432\n");

        var run = await PghaProcess.RunAsync(["validate", "--all", "--stacks-dir", dir.FullName]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"{dir.FullName}: --stack = \"a b\": is not a stack name. Allowed: {NameAllowed}\n", run.Error);
    }

    public static TheoryData<string[], int, string> CliCases => new()
    {
        { ["up", "--stack"], 2, "pgha: --stack needs a value (NAME)" },
        { ["plan", "--state-dir", "--json"], 2, "pgha: --state-dir needs a value (DIR), but it is followed by --json" },
        { ["lag", "--watch"], 2, "pgha: --watch needs a value (SECONDS)" },
        { ["psql", "--node"], 2, "pgha: --node needs a value (NODE)" },
        { ["render", "-s"], 2, "pgha: -s needs a value (NAME)" },
        { ["verify", "--deadline", "abc"], 2, "pgha: \"abc\" is not a whole number; see the verb's --help for its options" },
        { ["verify", "--deadline", "1\n2"], 2, "pgha: \"1\\n2\" is not a whole number; see the verb's --help for its options" },
        { ["validate", "--stack", "local", "--all"], 2, "pgha: --stack = \"local\" and --all: name one stack, or validate all of them" },
        { ["render", "--stack", "local", "--node", "pg-1\npgha: forged second line"], 2, "pgha: --node = \"pg-1\\npgha: forged second line\": stack local has no such node. Allowed: pg-1, pg-2, pg-3" },
        { ["render", "--stack", "local", "--node", "\u001b[31mred\u001b[0m"], 2, "pgha: --node = \"\\u001b[31mred\\u001b[0m\": stack local has no such node. Allowed: pg-1, pg-2, pg-3" },
        { ["render", "--stack", "local", "--target", "k8s\r\n"], 2, "pgha: --target = \"k8s\\r\\n\": unknown target. Allowed: docker, local" },
        { ["render", "--stack", "local", "--node", new string('n', 100_000)], 2, "pgha: --node = \"" + new string('n', 100) + "\"... (100000 characters): stack local has no such node. Allowed: pg-1, pg-2, pg-3" },
        { ["validate", "--stack", "nope"], 2, "STACKS/Pulumi.nope.yaml: --stack = \"nope\": has no stack file. Allowed: dev, local, prod, staging" },
        { ["render", "--stack", "local", "--out", "/proc/pgha-hostile"], 1, "pgha: --out = \"/proc/pgha-hostile\": cannot write" },
    };

    [Theory]
    [MemberData(nameof(CliCases))]
    public async Task Pgha_ends_every_bad_input_in_one_keyed_line_and_its_exit_code(string[] args, int exitCode, string expected)
    {
        var stacks = StackFixtures.RepositoryStacks.Directory;
        var run = await PghaProcess.RunAsync([.. args, "--stacks-dir", stacks]);

        Assert.True(run.ExitCode == exitCode, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith(expected.Replace("STACKS", stacks, StringComparison.Ordinal), line, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Error + run.Out, c => c == '\u001b');
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.True(line.Length < 1000, line);
    }

    [Fact]
    public async Task Render_out_onto_an_existing_file_is_refused_and_the_file_kept()
    {
        var file = Path.Combine(dir.FullName, "existing.txt");
        await File.WriteAllTextAsync(file, "keep me");

        var run = await PghaProcess.RunAsync(["render", "--stack", "local", "--stacks-dir", StackFixtures.RepositoryStacks.Directory, "--out", file]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"pgha: --out = \"{file}\": is a file. Allowed: a folder, which is created if missing\n", run.Error);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task An_unreadable_stacks_folder_is_a_keyed_error()
    {
        File.Copy(Path.Combine(StackFixtures.RepositoryStacks.Directory, "Pulumi.local.yaml"), StackPath("local"));
        dir.UnixFileMode = UnixFileMode.None;

        // Root reads any folder; as root, run pgha as the server user, to whom the folder is closed.
        var run = await PghaProcess.RunAsync(["validate", "--all", "--stacks-dir", dir.FullName], Environment.UserName == "root" ? "postgres" : null);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"{dir.FullName}: (stacks folder): cannot be read: Access to the path '{dir.FullName}' is denied. Allowed: a folder of Pulumi.<stack>.yaml files that pgha may list (see --stacks-dir)\n", run.Error);
    }

    [Fact]
    public async Task A_stack_value_with_a_newline_and_escapes_gives_one_escaped_line_per_error()
    {
        await File.WriteAllTextAsync(StackPath("evil"), HostileStacks.Base("  pg-ha-infra:cluster: \"x\\nstacks/Pulumi.prod.yaml:1: forged\\e[2J\""));

        var run = await PghaProcess.RunAsync(["validate", "--stack", "evil", "--stacks-dir", dir.FullName]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"{StackPath("evil")}:10: pg-ha-infra:cluster = \"x\\nstacks/Pulumi.prod.yaml:1: forged\\u001b[2J\": contains a control character (\\n). "
            + "Allowed: printable text on one line: no newline, tab, escape or other control character\n", run.Error);
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(file, args);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}

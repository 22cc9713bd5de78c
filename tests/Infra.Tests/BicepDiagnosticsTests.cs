using TestSupport;

namespace Infra.Tests;

/// <summary>
/// Every Bicep and parameter file under infra/ compiles and lints with no error and no warning, with the
/// linter rules of infra/bicepconfig.json.
/// </summary>
public sealed class BicepDiagnosticsTests
{
    private const string BicepPattern = "infra/**/*.bicep";

    // One Bicep process for all files (each start costs seconds); each file's test then reads its own lines.
    private static readonly Lazy<BicepResult> LintAll = new(() => BicepCli.Run("lint", "--pattern", BicepPattern));

    private static readonly Lazy<(BicepResult Result, string OutputDirectory)> BuildAll = new(() =>
    {
        var outputDirectory = Path.Combine(AppContext.BaseDirectory, "bicep-build");
        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }
        return (BicepCli.Run("build", "--pattern", BicepPattern, "--outdir", outputDirectory), outputDirectory);
    });

    public static TheoryData<string> BicepFiles() => new(InfraFiles("*.bicep"));

    public static TheoryData<string> ParameterFiles() => new(InfraFiles("*.bicepparam"));

    [Fact]
    public void Infra_has_the_main_template_modules_and_both_parameter_files()
    {
        var bicep = InfraFiles("*.bicep");
        var parameters = InfraFiles("*.bicepparam");

        Assert.Contains("infra/main.bicep", bicep);
        Assert.Contains(bicep, path => path.StartsWith("infra/modules/", StringComparison.Ordinal));
        Assert.Equal(["infra/main.dev.bicepparam", "infra/main.prod.bicepparam"], parameters.Order());
        Assert.True(File.Exists(RepositoryRoot.Combine("infra", "bicepconfig.json")));
    }

    [Fact]
    public void Building_and_linting_all_Bicep_files_prints_nothing()
    {
        Assert.True(BuildAll.Value.Result.Output.Length == 0, $"bicep build --pattern {BicepPattern}:\n{BuildAll.Value.Result.Output}");
        Assert.True(LintAll.Value.Output.Length == 0, $"bicep lint --pattern {BicepPattern}:\n{LintAll.Value.Output}");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Bicep_file_builds_without_diagnostics(string file)
    {
        var (result, outputDirectory) = BuildAll.Value;

        Assert.True(result.ExitCode == 0, $"bicep build --pattern {BicepPattern}:\n{result.Output}");
        Assert.Empty(DiagnosticsOf(file, result));
        var compiled = Path.Combine(outputDirectory, Path.ChangeExtension(Path.GetRelativePath("infra", file), ".json"));
        Assert.True(File.Exists(compiled), $"{file} was not compiled to {compiled}.");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Bicep_file_lints_without_diagnostics(string file)
    {
        var result = LintAll.Value;

        Assert.True(result.ExitCode == 0, $"bicep lint --pattern {BicepPattern}:\n{result.Output}");
        Assert.Empty(DiagnosticsOf(file, result));
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Parameter_file_builds_without_diagnostics(string file)
    {
        var result = CompiledTemplates.BuildParameters(file);

        Assert.True(result.ExitCode == 0 && result.StandardError.Length == 0, $"bicep build-params {file}:\n{result.Output}");
        Assert.Contains("parametersJson", result.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Parameter_file_lints_without_diagnostics(string file)
    {
        var result = BicepCli.Run("lint", file);

        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, $"bicep lint {file}:\n{result.Output}");
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Parameter_file_fails_clearly_when_a_required_variable_is_missing(string file)
    {
        var environment = BicepCli.RequiredParameterEnvironment
            .Where(variable => variable.Key != "HAIPAY_HKD_APP_ID")
            .ToDictionary();

        var result = BicepCli.Run(environment, "build-params", file, "--stdout");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("HAIPAY_HKD_APP_ID", result.StandardError);
    }

    /// <summary>The diagnostic lines ("path(line,col) : Warning rule: ...") bicep printed for one file.</summary>
    private static IReadOnlyList<string> DiagnosticsOf(string file, BicepResult result)
    {
        var prefix = RepositoryRoot.Combine(file.Split('/')) + "(";
        return result.Output.Split('\n').Where(line => line.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    private static IReadOnlyList<string> InfraFiles(string pattern)
    {
        var root = RepositoryRoot.Path;
        return Directory.EnumerateFiles(Path.Combine(root, "infra"), pattern, SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}

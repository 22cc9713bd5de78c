using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>infra/main.bicep and its parameter files compiled once per test run.</summary>
public static class CompiledTemplates
{
    private static readonly Lazy<ArmTemplate> MainTemplate = new(() =>
    {
        var result = BicepCli.Run("build", "infra/main.bicep", "--stdout");
        Assert.True(result.ExitCode == 0, $"bicep build infra/main.bicep:\n{result.Output}");
        return new ArmTemplate(JsonNode.Parse(result.StandardOutput)!.AsObject());
    });

    private static readonly ConcurrentDictionary<string, Lazy<BicepResult>> ParameterBuilds = new();

    public static ArmTemplate Main => MainTemplate.Value;

    /// <summary>
    /// bicep build-params of a parameter file, with the required pipeline variables plus
    /// <paramref name="extraEnvironment"/>; each distinct run happens once.
    /// </summary>
    public static BicepResult BuildParameters(string parameterFile, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var environment = BicepCli.RequiredParameterEnvironment
            .Concat(extraEnvironment ?? new Dictionary<string, string>())
            .ToDictionary();
        var key = string.Join('\n', environment.OrderBy(variable => variable.Key).Select(variable => $"{variable.Key}={variable.Value}").Prepend(parameterFile));
        return ParameterBuilds.GetOrAdd(key, _ => new Lazy<BicepResult>(() => BicepCli.Run(environment, "build-params", parameterFile, "--stdout"))).Value;
    }

    /// <summary>The parameter values a parameter file gives (see <see cref="BuildParameters"/>).</summary>
    public static JsonObject ParameterValues(string parameterFile, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var result = BuildParameters(parameterFile, extraEnvironment);
        Assert.True(result.ExitCode == 0, $"bicep build-params {parameterFile}:\n{result.Output}");
        var parametersJson = JsonNode.Parse(result.StandardOutput)!["parametersJson"]!.GetValue<string>();
        return JsonNode.Parse(parametersJson)!["parameters"]!.AsObject();
    }
}

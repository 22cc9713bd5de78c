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

    private static readonly ConcurrentDictionary<string, Lazy<string>> ParametersJson = new();

    public static ArmTemplate Main => MainTemplate.Value;

    /// <summary>The parameter values a parameter file gives, with the required pipeline variables plus <paramref name="extraEnvironment"/>.</summary>
    public static JsonObject ParameterValues(string parameterFile, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var environment = BicepCli.RequiredParameterEnvironment
            .Concat(extraEnvironment ?? new Dictionary<string, string>())
            .ToDictionary();
        var key = string.Join('\n', environment.OrderBy(variable => variable.Key).Select(variable => $"{variable.Key}={variable.Value}").Prepend(parameterFile));
        var parametersJson = ParametersJson.GetOrAdd(key, _ => new Lazy<string>(() =>
        {
            var result = BicepCli.Run(environment, "build-params", parameterFile, "--stdout");
            Assert.True(result.ExitCode == 0, $"bicep build-params {parameterFile}:\n{result.Output}");
            return JsonNode.Parse(result.StandardOutput)!["parametersJson"]!.GetValue<string>();
        })).Value;
        return JsonNode.Parse(parametersJson)!["parameters"]!.AsObject();
    }
}

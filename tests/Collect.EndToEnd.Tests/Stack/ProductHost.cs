using System.Text.Json;

namespace Collect.EndToEnd;

/// <summary>Which host serves the product in a stack.</summary>
public enum ProductHostKind
{
    /// <summary>The local runner (<c>src/Collect.LocalRunner</c>): the default, and the only host this machine has.</summary>
    Runner,

    /// <summary>
    /// The shipped Functions app started by Azure Functions Core Tools (<c>func host start</c> in the app's folder): the
    /// pipeline's FunctionsHost stage, on an agent that can install Core Tools.
    /// </summary>
    Functions,
}

/// <summary>
/// The host the end-to-end scenarios run against, chosen by environment variables so the same scenarios run on either:
/// <c>COLLECT_E2E_HOST</c> (<c>runner</c>, the default, or <c>functions</c>), <c>COLLECT_E2E_FUNCTIONS_APP</c> (the
/// published or built Functions app folder; default: its build output beside this assembly's configuration) and
/// <c>COLLECT_E2E_FUNC</c> (the Core Tools command; default <c>func</c> on the PATH).
/// </summary>
public static class ProductHost
{
    public const string HostVariable = "COLLECT_E2E_HOST";
    public const string FunctionsAppVariable = "COLLECT_E2E_FUNCTIONS_APP";
    public const string FuncVariable = "COLLECT_E2E_FUNC";

    /// <summary>The trait a scenario carries when it depends on the local runner itself (its exit code, its interval settings).</summary>
    public const string RunnerOnlyTrait = "Host";
    public const string RunnerOnly = "RunnerOnly";

    public static ProductHostKind Selected => Parse(Environment.GetEnvironmentVariable(HostVariable));

    public static ProductHostKind Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "runner" => ProductHostKind.Runner,
        "functions" => ProductHostKind.Functions,
        _ => throw new InvalidOperationException($"{HostVariable} is '{value}': use 'runner' or 'functions'."),
    };

    /// <summary>The Functions app folder: the one <see cref="FunctionsAppVariable"/> names, else the build output.</summary>
    public static string FunctionsApp => Environment.GetEnvironmentVariable(FunctionsAppVariable) is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.GetDirectoryName(BuiltApp.Dll("Collect.Functions"))!;

    public static string Func => Environment.GetEnvironmentVariable(FuncVariable) is { Length: > 0 } func ? func : "func";

    /// <summary>
    /// Configuration keys (<c>Collect:Deadline</c>) as the Functions host's environment (<c>Collect__Deadline</c>), with the
    /// sandbox's settings file (JSON in configuration shape) flattened in below them: the Functions app has no
    /// settings-file layer, so what the runner reads from the file the Functions host gets as app settings.
    /// </summary>
    public static Dictionary<string, string> FunctionsEnvironment(IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AzureFunctionsJobHost__logging__logLevel__default"] = "Information",
        };
        if (settings.TryGetValue("SettingsFile", out var file) && file.Length > 0)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            Flatten(document.RootElement, "", environment);
        }
        foreach (var (key, value) in settings)
        {
            if (key != "SettingsFile" && !key.StartsWith("Logging:", StringComparison.Ordinal))
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        return environment;
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + "__" + property.Name, into);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, prefix + "__" + index++, into);
                }
                break;
            case JsonValueKind.Null:
                break;
            default:
                into[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                break;
        }
    }
}

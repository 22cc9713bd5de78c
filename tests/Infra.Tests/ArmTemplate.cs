using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// A compiled ARM template and, as children, the templates of its nested deployments (Bicep modules), with
/// what each deployment passes to its module's parameters.
/// </summary>
public sealed partial class ArmTemplate
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonObject? _passedParameters;

    public ArmTemplate(JsonObject json) : this(json, "main", null, null)
    {
    }

    private ArmTemplate(JsonObject json, string path, ArmTemplate? parent, JsonObject? passedParameters)
    {
        Json = json;
        Path = path;
        Parent = parent;
        _passedParameters = passedParameters;
        Resources = ReadResources(json);
        Modules = Resources.Values
            .Where(resource => Type(resource) == "Microsoft.Resources/deployments")
            .Select(deployment => new ArmTemplate(
                deployment["properties"]!["template"]!.AsObject(),
                $"{path}/{deployment["name"]}",
                this,
                deployment["properties"]!["parameters"]?.AsObject()))
            .ToList();
    }

    public JsonObject Json { get; }

    /// <summary>"main" for the top template, "main/functionApp" for the module deployed as "functionApp".</summary>
    public string Path { get; }

    public ArmTemplate? Parent { get; }

    /// <summary>Resources by symbolic name (languageVersion 2.0) or by position.</summary>
    public IReadOnlyDictionary<string, JsonObject> Resources { get; }

    public IReadOnlyList<ArmTemplate> Modules { get; }

    public JsonObject Outputs => Json["outputs"]?.AsObject() ?? [];

    public JsonObject Parameters => Json["parameters"]?.AsObject() ?? [];

    public ArmTemplate Module(string deploymentName) =>
        Modules.SingleOrDefault(module => module.Path == $"{Path}/{deploymentName}")
        ?? throw new KeyNotFoundException($"{Path} deploys no module named '{deploymentName}'.");

    /// <summary>This template's resources and those of every module below it.</summary>
    public IEnumerable<(ArmTemplate Template, JsonObject Resource)> AllResources() =>
        Resources.Values.Select(resource => (this, resource)).Concat(Modules.SelectMany(module => module.AllResources()));

    public IEnumerable<JsonObject> ResourcesOfType(string type) =>
        Resources.Values.Where(resource => Type(resource) == type);

    public JsonObject SingleOfType(string type) => Assert.Single(ResourcesOfType(type));

    /// <summary>The config resource (sites/config) whose name ends with <paramref name="configName"/>.</summary>
    public JsonObject SiteConfig(string configName) => Assert.Single(
        ResourcesOfType("Microsoft.Web/sites/config"),
        resource => resource["name"]!.GetValue<string>().EndsWith($"'{configName}')]", StringComparison.Ordinal));

    /// <summary>A variable's value as JSON text (a string variable comes back without quotes).</summary>
    public string Variable(string name) => Text(Json["variables"]?[name]
        ?? throw new KeyNotFoundException($"{Path} has no variable '{name}'."));

    /// <summary>What the parent deployment passes to this module's parameter, in the parent's own terms.</summary>
    public string PassedParameter(string name) => Text(_passedParameters?[name]?["value"]
        ?? throw new KeyNotFoundException($"{Path} is given no parameter '{name}'."));

    /// <summary>
    /// Follows a module parameter up through the deployments that pass it: the expression at the first level
    /// where it is no longer just another parameter, prefixed with that level's path.
    /// </summary>
    public string Resolve(string expression)
    {
        var (owner, resolved) = ResolveWhere(expression);
        return $"{owner.Path}:{resolved}";
    }

    /// <summary>Like <see cref="Resolve"/>, returning the template the expression belongs to.</summary>
    public (ArmTemplate Owner, string Expression) ResolveWhere(string expression)
    {
        var parameter = WholeParameterExpression().Match(expression);
        if (!parameter.Success || Parent is null)
        {
            return (this, expression);
        }
        return Parent.ResolveWhere(PassedParameter(parameter.Groups["name"].Value));
    }

    /// <summary>Replaces variables('x') with the variable's literal value, for variables that are plain strings.</summary>
    public string InlineVariables(string expression) => VariableReference().Replace(expression, match =>
    {
        var value = Json["variables"]?[match.Groups["name"].Value];
        return value is JsonValue literal && literal.TryGetValue<string>(out var text) && !text.StartsWith('[')
            ? $"'{text}'"
            : match.Value;
    });

    public static string Type(JsonObject resource) => resource["type"]!.GetValue<string>();

    public static string Text(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node.ToJsonString(Readable);

    /// <summary>Every string anywhere in this template and its modules.</summary>
    public IEnumerable<string> AllStrings() => Strings(Json);

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(property => Strings(property.Value).Prepend(property.Key)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    private static IReadOnlyDictionary<string, JsonObject> ReadResources(JsonObject template) => template["resources"] switch
    {
        JsonObject bySymbol => bySymbol.ToDictionary(property => property.Key, property => property.Value!.AsObject()),
        JsonArray list => list.Select((resource, index) => (index, resource))
            .ToDictionary(item => item.index.ToString(), item => item.resource!.AsObject()),
        _ => new Dictionary<string, JsonObject>(),
    };

    [GeneratedRegex(@"^\[parameters\('(?<name>\w+)'\)\]$")]
    private static partial Regex WholeParameterExpression();

    [GeneratedRegex(@"variables\('(?<name>\w+)'\)")]
    private static partial Regex VariableReference();
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests;

/// <summary>
/// A role assignment in the compiled template with its principal and scope traced back to the top template
/// ("main:&lt;expression&gt;"), so assignments made in different modules to the same identity compare equal.
/// </summary>
public sealed partial record RoleAssignment(string Module, string Principal, string RoleDefinitionId, string ScopeType, string ScopeName)
{
    /// <summary>Every role assignment in <paramref name="main"/> and its modules; a loop yields one per role id it names.</summary>
    public static IReadOnlyList<RoleAssignment> All(ArmTemplate main) =>
        main.AllResources()
            .Where(item => ArmTemplate.Type(item.Resource) == "Microsoft.Authorization/roleAssignments")
            .SelectMany(item => Read(item.Template, item.Resource))
            .ToList();

    private static IEnumerable<RoleAssignment> Read(ArmTemplate template, JsonObject resource)
    {
        var properties = resource["properties"]!;
        var principal = PrincipalOf(template, properties["principalId"]!.GetValue<string>());
        var scope = resource["scope"]?.GetValue<string>() ?? "";
        var scopeType = ResourceIdType().Match(scope) is { Success: true } type ? type.Groups["type"].Value : "resourceGroup";
        var scopeName = ParameterReference().Match(scope) is { Success: true } name
            ? template.Resolve($"[parameters('{name.Groups["name"].Value}')]")
            : $"{template.Path}:{scope}";
        var roleIds = RoleId().Matches(template.InlineVariables(properties["roleDefinitionId"]!.GetValue<string>()))
            .Select(match => match.Value.ToLowerInvariant())
            .ToList();
        Assert.NotEmpty(roleIds);
        return roleIds.Select(roleId => new RoleAssignment(template.Path, principal, roleId, scopeType, scopeName));
    }

    /// <summary>The identity a principalId expression points at, as the traced expression of its name.</summary>
    private static string PrincipalOf(ArmTemplate template, string principalId)
    {
        var (owner, expression) = template.ResolveWhere(principalId);
        if (IdentityByParameter().Match(expression) is { Success: true } byParameter)
        {
            return owner.Resolve($"[parameters('{byParameter.Groups["name"].Value}')]");
        }
        if (IdentityBySymbol().Match(expression) is { Success: true } bySymbol)
        {
            return owner.Resolve(owner.Resources[bySymbol.Groups["symbol"].Value]["name"]!.GetValue<string>());
        }
        return $"{owner.Path}:{expression}";
    }

    [GeneratedRegex(@"userAssignedIdentities', parameters\('(?<name>\w+)'\)\)")]
    private static partial Regex IdentityByParameter();

    [GeneratedRegex(@"^\[reference\('(?<symbol>\w+)'\)\.principalId\]$")]
    private static partial Regex IdentityBySymbol();

    [GeneratedRegex(@"resourceId\('(?<type>[^']+)'")]
    private static partial Regex ResourceIdType();

    [GeneratedRegex(@"parameters\('(?<name>\w+)'\)")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex RoleId();
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace Collect.LocalRunner.Engine;

/// <summary>Reads the task hub name the Functions app would use: host.json's <c>extensions.durableTask.hubName</c>.</summary>
public static partial class TaskHubName
{
    [GeneratedRegex("^%(?<setting>[^%]+)%$")]
    private static partial Regex SettingReference();

    public static string Resolve(string hostJsonPath, IConfiguration configuration)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(hostJsonPath),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var hubName = doc.RootElement.TryGetProperty("extensions", out var ext)
                      && ext.TryGetProperty("durableTask", out var dt)
                      && dt.TryGetProperty("hubName", out var hub)
            ? hub.GetString()
            : null;
        if (string.IsNullOrWhiteSpace(hubName))
        {
            throw new InvalidOperationException($"{hostJsonPath} has no extensions.durableTask.hubName.");
        }
        var match = SettingReference().Match(hubName);
        if (!match.Success)
        {
            return hubName;
        }
        var setting = match.Groups["setting"].Value;
        return configuration[setting] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"host.json takes the task hub name from setting '{setting}', which is not set.");
    }
}

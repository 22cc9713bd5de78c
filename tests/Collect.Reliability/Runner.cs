namespace Collect.Reliability;

/// <summary>Runner settings every scenario shares: quiet logs, a sweep fast enough to watch within minutes.</summary>
public static class Runner
{
    public static IReadOnlyDictionary<string, string> Settings(IReadOnlyDictionary<string, string> scenario)
    {
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Collect.Core.Operations"] = "Information",
            ["Collect:SweepInterval"] = "00:00:05",
            ["Collect:SweepGrace"] = "00:00:15",
        };
        foreach (var (key, value) in scenario)
        {
            settings[key] = value;
        }
        return settings;
    }
}

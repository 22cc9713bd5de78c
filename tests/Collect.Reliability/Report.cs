using System.Text;

namespace Collect.Reliability;

/// <summary>The suite's findings: figures per scenario and checks that pass or fail, printed as one table.</summary>
public sealed class Report
{
    private readonly List<(string Scenario, string Figure, string Value)> _figures = [];
    private readonly List<(string Scenario, string Check, bool Passed, string Detail)> _checks = [];

    public void Figure(string scenario, string figure, object value) => _figures.Add((scenario, figure, value.ToString() ?? ""));

    /// <summary>Records a check; <paramref name="detail"/> says what was seen.</summary>
    public void Check(string scenario, string check, bool passed, string detail = "")
    {
        _checks.Add((scenario, check, passed, detail));
        Console.WriteLine($"  [{(passed ? "ok" : "FAIL")}] {scenario}: {check}{(detail.Length > 0 ? $" ({detail})" : "")}");
    }

    public int Passed => _checks.Count(c => c.Passed);
    public int Failed => _checks.Count(c => !c.Passed);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | figure | value |").AppendLine("|---|---|---|");
        foreach (var (scenario, figure, value) in _figures)
        {
            text.AppendLine($"| {scenario} | {figure} | {value} |");
        }
        text.AppendLine().AppendLine("| scenario | check | result |").AppendLine("|---|---|---|");
        foreach (var (scenario, check, passed, detail) in _checks)
        {
            text.AppendLine($"| {scenario} | {check} | {(passed ? "passed" : "FAILED")}{(detail.Length > 0 ? $": {detail}" : "")} |");
        }
        return text.ToString();
    }
}

using System.Globalization;

namespace Collect.Core;

/// <summary>
/// Schedules written as comma-separated <c>interval*count</c> steps (<c>00:05:00*2</c> = five minutes, twice; a bare
/// interval counts once), expanded to the wait before each step. Used by the sweep's re-queries and event retries.
/// </summary>
public static class StepSchedule
{
    /// <summary>The waits; throws <see cref="FormatException"/> naming the bad step.</summary>
    public static IReadOnlyList<TimeSpan> Parse(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(step =>
            {
                var parts = step.Split('*', StringSplitOptions.TrimEntries);
                if (parts.Length is < 1 or > 2 || !TimeSpan.TryParse(parts[0], CultureInfo.InvariantCulture, out var interval) ||
                    interval <= TimeSpan.Zero)
                {
                    throw new FormatException($"'{step}' is not interval*count (e.g. 01:00:00*24).");
                }
                var count = 1;
                if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
                {
                    throw new FormatException($"'{step}': the count must be 1–1000.");
                }
                return Enumerable.Repeat(interval, count);
            })
            .ToList();
}

namespace Collect.Core.Collection;

/// <summary>
/// When the orchestrator queries HaiPay next: the back-off entry indexed by the queries made so far (the last entry
/// repeats), counted from now, and never later than the deadline. Pure, so replays compute the same times.
/// </summary>
public sealed class QuerySchedule
{
    private readonly IReadOnlyList<TimeSpan> _backoff;

    public QuerySchedule(IReadOnlyList<TimeSpan> backoff, DateTime deadlineUtc)
    {
        if (backoff is null || backoff.Count == 0)
        {
            throw new ArgumentException("The query back-off schedule needs at least one entry.", nameof(backoff));
        }
        if (backoff.Any(delay => delay <= TimeSpan.Zero))
        {
            throw new ArgumentException("Every query back-off entry must be positive.", nameof(backoff));
        }
        _backoff = backoff;
        DeadlineUtc = deadlineUtc;
    }

    public DateTime DeadlineUtc { get; }

    /// <summary>The wait before the next query once <paramref name="queriesMade"/> queries have been made.</summary>
    public TimeSpan DelayAfter(int queriesMade) => _backoff[Math.Clamp(queriesMade, 0, _backoff.Count - 1)];

    /// <summary>The next query time: <paramref name="nowUtc"/> plus the back-off delay, capped at the deadline.</summary>
    public DateTime NextQueryAt(DateTime nowUtc, int queriesMade)
    {
        var due = nowUtc + DelayAfter(queriesMade);
        return due < DeadlineUtc ? due : DeadlineUtc;
    }

    /// <summary>True when a query planned for <paramref name="queryAtUtc"/> is the last one before the deadline.</summary>
    public bool IsFinalCheck(DateTime queryAtUtc) => queryAtUtc >= DeadlineUtc;
}

namespace HaiPay.Sandbox.Faults;

/// <summary>The armed faults, matched in the order they were added. Exhausted faults disappear.</summary>
public sealed class FaultBook
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private volatile int _count;

    /// <summary>Arms a fault. The rule must be valid (<see cref="FaultRule.Validate"/>).</summary>
    public ActiveFault Add(FaultRule rule)
    {
        var problems = rule.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "Invalid fault: " + string.Join("; ", problems.Select(p => $"{p.Key} {string.Join(", ", p.Value)}")), nameof(rule));
        }
        var remaining = rule.Count ?? (rule.OrderId is null ? 1 : null);
        var entry = new Entry(Guid.NewGuid(), rule, remaining);
        lock (_gate)
        {
            _entries.Add(entry);
            _count = _entries.Count;
        }
        return entry.ToView();
    }

    public IReadOnlyList<ActiveFault> List()
    {
        lock (_gate)
        {
            return _entries.Select(e => e.ToView()).ToList();
        }
    }

    public bool Remove(Guid id)
    {
        lock (_gate)
        {
            var removed = _entries.RemoveAll(e => e.Id == id) > 0;
            _count = _entries.Count;
            return removed;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _count = 0;
        }
    }

    /// <summary>The first armed fault matching this request, used up by one; null when none (the common, lock-free case).</summary>
    internal FaultRule? Take(FaultEndpoint endpoint, string? orderId)
    {
        if (_count == 0)
        {
            return null;
        }
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (entry.Rule.Endpoint != endpoint ||
                    (entry.Rule.OrderId is not null && !string.Equals(entry.Rule.OrderId, orderId, StringComparison.Ordinal)))
                {
                    continue;
                }
                if (entry.Remaining is not null)
                {
                    entry.Remaining--;
                    if (entry.Remaining == 0)
                    {
                        _entries.Remove(entry);
                        _count = _entries.Count;
                    }
                }
                return entry.Rule;
            }
            return null;
        }
    }

    private sealed class Entry(Guid id, FaultRule rule, int? remaining)
    {
        public Guid Id { get; } = id;
        public FaultRule Rule { get; } = rule;
        public int? Remaining { get; set; } = remaining;

        public ActiveFault ToView() => new(Id, Rule, Remaining);
    }
}

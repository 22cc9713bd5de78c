using System.Collections.Concurrent;

namespace HaiPay.Sandbox;

/// <summary>
/// Request and callback counts. <see cref="CallbacksSent"/> counts delivery attempts (retries included);
/// <see cref="CallbacksAcknowledged"/> the attempts answered HTTP 200 <c>SUCCESS</c>; <see cref="CallbacksDropped"/>
/// callbacks a Drop behaviour suppressed; <see cref="CallbacksAbandoned"/> deliveries that ran out of retries.
/// </summary>
public sealed record OrderCounters(
    long Applies,
    long AppliesAccepted,
    long Queries,
    long CallbacksSent,
    long CallbacksAcknowledged,
    long CallbacksDropped,
    long CallbacksAbandoned)
{
    public static OrderCounters Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Counts in total and per merchant orderId (both currencies share one count per orderId; rejected applies count
/// too). Lock-free: every count is an <see cref="Interlocked"/> increment.
/// </summary>
public sealed class SandboxCounters
{
    private readonly Tally _total = new();
    private ConcurrentDictionary<string, Tally> _byOrderId = new(StringComparer.Ordinal);

    public OrderCounters Total => _total.Read();

    /// <summary>The counts of one merchant orderId (zero when the sandbox never saw it).</summary>
    public OrderCounters For(string orderId) =>
        _byOrderId.TryGetValue(orderId, out var tally) ? tally.Read() : OrderCounters.Zero;

    internal void Reset()
    {
        _total.Clear();
        _byOrderId = new ConcurrentDictionary<string, Tally>(StringComparer.Ordinal);
    }

    internal void ApplyReceived(string? orderId) => Count(orderId, static t => Interlocked.Increment(ref t.Applies));
    internal void ApplyAccepted(string orderId) => Count(orderId, static t => Interlocked.Increment(ref t.AppliesAccepted));
    internal void QueryReceived(string? orderId) => Count(orderId, static t => Interlocked.Increment(ref t.Queries));
    internal void CallbackSent(string orderId) => Count(orderId, static t => Interlocked.Increment(ref t.CallbacksSent));
    internal void CallbackAcknowledged(string orderId) => Count(orderId, static t => Interlocked.Increment(ref t.CallbacksAcknowledged));
    internal void CallbackDropped(string orderId) => Count(orderId, static t => Interlocked.Increment(ref t.CallbacksDropped));
    internal void CallbackAbandoned(string orderId) => Count(orderId, static t => Interlocked.Increment(ref t.CallbacksAbandoned));

    private void Count(string? orderId, Action<Tally> increment)
    {
        increment(_total);
        if (!string.IsNullOrEmpty(orderId))
        {
            increment(_byOrderId.GetOrAdd(orderId, static _ => new Tally()));
        }
    }

    private sealed class Tally
    {
        public long Applies;
        public long AppliesAccepted;
        public long Queries;
        public long CallbacksSent;
        public long CallbacksAcknowledged;
        public long CallbacksDropped;
        public long CallbacksAbandoned;

        public OrderCounters Read() => new(
            Interlocked.Read(ref Applies),
            Interlocked.Read(ref AppliesAccepted),
            Interlocked.Read(ref Queries),
            Interlocked.Read(ref CallbacksSent),
            Interlocked.Read(ref CallbacksAcknowledged),
            Interlocked.Read(ref CallbacksDropped),
            Interlocked.Read(ref CallbacksAbandoned));

        public void Clear()
        {
            Interlocked.Exchange(ref Applies, 0);
            Interlocked.Exchange(ref AppliesAccepted, 0);
            Interlocked.Exchange(ref Queries, 0);
            Interlocked.Exchange(ref CallbacksSent, 0);
            Interlocked.Exchange(ref CallbacksAcknowledged, 0);
            Interlocked.Exchange(ref CallbacksDropped, 0);
            Interlocked.Exchange(ref CallbacksAbandoned, 0);
        }
    }
}

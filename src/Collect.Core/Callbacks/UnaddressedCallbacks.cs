using Collect.Core.Storage;
using Microsoft.Extensions.Options;

namespace Collect.Core.Callbacks;

/// <summary>
/// The bound on callbacks that name no order of this product (malformed, an unknown or impossible orderId): they are
/// kept in one shared audit partition, at most <see cref="CollectOptions.UnaddressedStoredPerMinute"/> per minute per
/// process; the rest are counted and the count stored once per minute. Anonymous traffic cannot grow storage faster.
/// </summary>
public sealed class UnaddressedCallbacks(IOptions<CollectOptions> options, TimeProvider time)
{
    /// <summary>Audit partition of such callbacks (it cannot be an orderId: orderIds start with a letter or digit).</summary>
    public const string Partition = "(callbacks without an order of this product)";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _stored;
    private long _suppressed;

    /// <summary>
    /// The entries to store for one more such callback: itself when within the bound, plus the previous window's count
    /// when this is the first of a new window and some were suppressed. Empty when it is only counted.
    /// </summary>
    public IReadOnlyList<AuditEntry> Admit(AuditEntry received)
    {
        var now = time.GetUtcNow();
        var entries = new List<AuditEntry>(2);
        lock (_gate)
        {
            if (now - _windowStart >= Window)
            {
                if (_suppressed > 0)
                {
                    entries.Add(new AuditEntry
                    {
                        OrderId = Partition,
                        Kind = AuditKind.CallbacksSuppressed,
                        Detail = $"{_suppressed} callbacks naming no order of this product from {_windowStart:O} for {Window} were counted, not stored",
                    });
                }
                (_windowStart, _stored, _suppressed) = (now, 0, 0);
            }
            if (_stored < options.Value.UnaddressedStoredPerMinute)
            {
                _stored++;
                entries.Add(received with { OrderId = Partition, RawBodyLimit = StorageText.MaxUnverifiedRawBody });
            }
            else
            {
                _suppressed++;
            }
        }
        return entries;
    }
}

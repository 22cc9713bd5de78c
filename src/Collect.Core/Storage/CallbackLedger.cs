namespace Collect.Core.Storage;

/// <summary>
/// What the notify webhook remembers about one order's callbacks (orders table, the order's partition, RowKey
/// <c>callbacks</c>): the window that bounds unverified callbacks, when the orchestration was last nudged, and digests
/// of the signed callbacks already acknowledged (a replay of one of them changes nothing). Kept beside the order row,
/// not in it, so callback traffic never contends with the order's status changes.
/// </summary>
public sealed record CallbackLedger
{
    /// <summary>How many acknowledged-signature digests are kept (HaiPay sends a handful of callbacks per order).</summary>
    public const int MaxAcknowledged = 32;

    public required string OrderId { get; init; }

    /// <summary>Start of the current window of unverified callbacks; null before the first.</summary>
    public DateTimeOffset? WindowStart { get; init; }

    /// <summary>Unverified callbacks stored in the audit trail in the current window.</summary>
    public int StoredInWindow { get; init; }

    /// <summary>Unverified callbacks counted but not stored in the current window.</summary>
    public long SuppressedInWindow { get; init; }

    /// <summary>Unverified callbacks stored in the audit trail over the order's life.</summary>
    public int UnverifiedStored { get; init; }

    /// <summary>Unverified callbacks counted but not stored over the order's life.</summary>
    public long UnverifiedSuppressed { get; init; }

    /// <summary>When a callback last nudged the order's orchestration to query.</summary>
    public DateTimeOffset? NudgedAt { get; init; }

    /// <summary>Digests of the <c>sign</c> of signed callbacks answered <c>SUCCESS</c>, oldest first.</summary>
    public IReadOnlyList<string> AcknowledgedSigns { get; init; } = [];

    /// <summary>ETag of the row this was read from; null when the order has no ledger yet.</summary>
    public string? ETag { get; init; }

    public bool HasAcknowledged(string signDigest) => AcknowledgedSigns.Contains(signDigest, StringComparer.Ordinal);

    public CallbackLedger Acknowledge(string signDigest) => HasAcknowledged(signDigest)
        ? this
        : this with { AcknowledgedSigns = [.. AcknowledgedSigns.Append(signDigest).TakeLast(MaxAcknowledged)] };
}

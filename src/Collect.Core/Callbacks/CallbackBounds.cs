using Collect.Core.Storage;
using Microsoft.Extensions.Options;

namespace Collect.Core.Callbacks;

/// <summary>What to do with one callback for a known order, decided from its <see cref="CallbackLedger"/>.</summary>
/// <param name="Next">The ledger to save.</param>
/// <param name="Store">Keep the callback in the order's audit trail (else it is only counted).</param>
/// <param name="Nudge">Raise the notify event, so the orchestration queries HaiPay.</param>
/// <param name="Replay">A signed callback already answered <c>SUCCESS</c>, delivered again: it changes nothing.</param>
/// <param name="Summary">The count of the previous window's suppressed callbacks, to store with this one.</param>
public sealed record CallbackDecision(CallbackLedger Next, bool Store, bool Nudge, bool Replay, AuditEntry? Summary);

/// <summary>
/// The bounds on what callbacks can cost, per order (pure). HaiPay's own signed callbacks are few (a handful of
/// deliveries per payment) and always stored. Anything else — unsigned, forged, or a replay of a signed callback
/// already acknowledged — is anonymous: per <see cref="CollectOptions.NotifyWindow"/> it is stored at most
/// <see cref="CollectOptions.UnverifiedStoredPerWindow"/> times and
/// <see cref="CollectOptions.UnverifiedStoredPerOrder"/> times over the order's life, the rest only counted (with a
/// summary row per window that had any); and all callbacks together nudge the orchestration to query at most once
/// per window.
/// </summary>
public sealed class CallbackBounds(IOptions<CollectOptions> options)
{
    public CallbackDecision Decide(CallbackLedger ledger, bool verified, string? signDigest, bool orderWaiting, bool wantsNudge, DateTimeOffset now)
    {
        var settings = options.Value;
        var next = ledger;
        AuditEntry? summary = null;
        if (next.WindowStart is not { } start || now - start >= settings.NotifyWindow)
        {
            if (next.SuppressedInWindow > 0 && next.UnverifiedStored < settings.UnverifiedStoredPerOrder && next.WindowStart is { } previous)
            {
                summary = new AuditEntry
                {
                    OrderId = ledger.OrderId,
                    Kind = AuditKind.CallbacksSuppressed,
                    Detail = $"{next.SuppressedInWindow} unverified or replayed callbacks from {previous:O} for {settings.NotifyWindow} were " +
                             $"counted, not stored ({next.UnverifiedSuppressed} over the order's life)",
                };
                next = next with { UnverifiedStored = next.UnverifiedStored + 1 };
            }
            next = next with { WindowStart = now, StoredInWindow = 0, SuppressedInWindow = 0 };
        }

        var replay = verified && signDigest is not null && next.HasAcknowledged(signDigest);
        bool store;
        if (verified && !replay)
        {
            store = true;
        }
        else
        {
            store = next.StoredInWindow < settings.UnverifiedStoredPerWindow && next.UnverifiedStored < settings.UnverifiedStoredPerOrder;
            next = store
                ? next with { StoredInWindow = next.StoredInWindow + 1, UnverifiedStored = next.UnverifiedStored + 1 }
                : next with { SuppressedInWindow = next.SuppressedInWindow + 1, UnverifiedSuppressed = next.UnverifiedSuppressed + 1 };
        }

        var nudge = orderWaiting && wantsNudge && !replay && (next.NudgedAt is not { } nudged || now - nudged >= settings.NotifyWindow);
        if (nudge)
        {
            next = next with { NudgedAt = now };
        }
        return new CallbackDecision(next, store, nudge, replay, summary);
    }
}

using Collect.Core.Orders;
using Collect.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Operations;

/// <summary>What one run of <see cref="CustomerDataRetention"/> did.</summary>
public sealed record CustomerDataRetentionRun(int Erased, int Held, int AuditEntriesScrubbed, DateTimeOffset? DoneBefore);

/// <summary>
/// Keeps customers' contact details no longer than necessary (Hong Kong's Personal Data (Privacy) Ordinance, data
/// protection principle 2): orders created more than <see cref="CollectOptions.CustomerDataRetention"/> ago lose the
/// name, phone and email the storefront sent — on the order row, and wherever an audit entry's text repeats them (a
/// callback's raw body, say). Money fields, statuses, <c>partnerUserId</c>, the orderNo and what HaiPay said stay, so
/// the order still reconciles. An order that has not ended (NeedsReview, or still waiting) is held and erased once it
/// ends. Runs on the retention timer in both hosts.
/// </summary>
/// <remarks>
/// It walks the index's <c>created</c> partition a day at a time from a watermark (orders created before it are done),
/// so each run reads only what became due since the last one, at most <see cref="MaxOrdersPerRun"/> orders. The first
/// run finds the oldest order's day with a binary search over the index (about a dozen one-row queries). Erasing is
/// idempotent: the audit text is scrubbed first, then the order row is written with its audit entry in one transaction
/// conditional on its ETag, so a crash in between is finished by the next run.
/// </remarks>
public sealed partial class CustomerDataRetention(
    OrderStore store, OrderIndex index, IOptions<CollectOptions> options, TimeProvider time, ILogger<CustomerDataRetention> logger)
{
    /// <summary>What replaces an erased value in audit text.</summary>
    public const string Replacement = "[erased]";

    /// <summary>The request hash of an erased order: no replay matches it, so a create with its orderId answers 409.</summary>
    public const string ErasedRequestHash = "erased";

    /// <summary>The actor named in the audit entry.</summary>
    public const string Actor = "retention";

    /// <summary>The most orders one run looks at; the rest wait for the next run (the watermark moves a whole day at a time).</summary>
    public const int MaxOrdersPerRun = 1_000;

    private const int PageSize = 100;
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);

    /// <summary>
    /// The order without the customer's contact details, when it has ended (Succeeded, Failed, Rejected, Expired or
    /// Cancelled) and still holds them; otherwise the same instance.
    /// </summary>
    public static Order Erase(Order order, DateTimeOffset now) =>
        order.CustomerDataErasedAt is null && IsErasable(order.Status)
            ? order with { Name = "", Phone = "", Email = "", RequestHash = ErasedRequestHash, CustomerDataErasedAt = now }
            : order;

    /// <summary>NeedsReview keeps the details an operator may need to resolve it; a waiting order is not over yet.</summary>
    public static bool IsErasable(OrderStatus status) => !status.IsWaiting() && status != OrderStatus.NeedsReview;

    /// <summary>The values searched for in audit text: name, phone (also as bare digits) and email; none shorter than 3 characters.</summary>
    public static IReadOnlyList<string> ContactValues(Order order) =>
        new[] { order.Name, order.Phone, new string(order.Phone.Where(char.IsAsciiDigit).ToArray()), order.Email }
            .Select(value => value.Trim())
            .Where(value => value.Length >= 3)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    public async Task<CustomerDataRetentionRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.CustomerDataRetention;
        var tally = new Tally();

        foreach (var orderId in await index.RetentionHeldAsync(MaxOrdersPerRun, cancellationToken).ConfigureAwait(false))
        {
            if (await HandleAsync(orderId, now, tally, cancellationToken).ConfigureAwait(false) != Outcome.Held)
            {
                await index.ReleaseRetentionHoldAsync(orderId, cancellationToken).ConfigureAwait(false);
            }
        }

        // Held orders are re-checked every run; only the orders of new days count against the run's bound.
        var seen = 0;
        var from = await index.RetentionWatermarkAsync(cancellationToken).ConfigureAwait(false)
                   ?? await OldestOrderDayAsync(cutoff, cancellationToken).ConfigureAwait(false);
        while (from < cutoff && seen < MaxOrdersPerRun)
        {
            var to = from + Window < cutoff ? from + Window : cutoff;
            string? continuation = null;
            do
            {
                var (orderIds, next) = await index.PageAsync(OrderIndex.CreatedPartition, from, to, PageSize, continuation, cancellationToken)
                    .ConfigureAwait(false);
                seen += orderIds.Count;
                foreach (var orderId in orderIds)
                {
                    if (await HandleAsync(orderId, now, tally, cancellationToken).ConfigureAwait(false) == Outcome.Held)
                    {
                        await index.HoldForRetentionAsync(orderId, cancellationToken).ConfigureAwait(false);
                    }
                }
                continuation = next;
            }
            while (continuation is not null);
            await index.SetRetentionWatermarkAsync(to, cancellationToken).ConfigureAwait(false);
            from = to;
        }

        if (tally.Erased > 0 || tally.Held > 0)
        {
            LogRun(tally.Erased, tally.Held, tally.Scrubbed, from);
        }
        return new CustomerDataRetentionRun(tally.Erased, tally.Held, tally.Scrubbed, from);
    }

    private enum Outcome { Gone, AlreadyErased, Held, Erased }

    private sealed class Tally
    {
        public int Erased;
        public int Held;
        public int Scrubbed;
    }

    private async Task<Outcome> HandleAsync(string orderId, DateTimeOffset now, Tally tally, CancellationToken cancellationToken)
    {
        var order = await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return Outcome.Gone;
        }
        if (order.CustomerDataErasedAt is not null)
        {
            return Outcome.AlreadyErased;
        }
        if (!IsErasable(order.Status))
        {
            tally.Held++;
            return Outcome.Held;
        }
        tally.Scrubbed += await store.ScrubAuditAsync(orderId, ContactValues(order), Replacement, cancellationToken).ConfigureAwait(false);
        var stored = await store.UpdateAsync(orderId, current => Erase(current, now), Actor, (current, next) =>
                next.CustomerDataErasedAt is not null && current.CustomerDataErasedAt is null
                    ?
                    [
                        new AuditEntry
                        {
                            OrderId = orderId,
                            Kind = AuditKind.CustomerDataErased,
                            Actor = Actor,
                            Reason = "retention",
                            Detail = $"name, phone and email erased {options.Value.CustomerDataRetention.TotalDays:0.##} days after the order was created",
                        },
                    ]
                    : [],
            cancellationToken).ConfigureAwait(false);
        if (stored?.CustomerDataErasedAt is null)
        {
            // The order changed under us into something not erasable (or vanished): the next run looks again.
            if (stored is not null && !IsErasable(stored.Status))
            {
                tally.Held++;
                return Outcome.Held;
            }
            return Outcome.Gone;
        }
        tally.Erased++;
        return Outcome.Erased;
    }

    /// <summary>The start of the day of the oldest order created before <paramref name="cutoff"/>, or the cutoff when there is none.</summary>
    private async Task<DateTimeOffset> OldestOrderDayAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var start = HistoryRetention.CreatedFrom;
        if (cutoff <= start || !await AnyCreatedAsync(start, cutoff, cancellationToken).ConfigureAwait(false))
        {
            return cutoff;
        }
        // The smallest number of days d with an order created in [start, start + d days).
        var (low, high) = (0, (int)Math.Ceiling((cutoff - start).TotalDays));
        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            if (await AnyCreatedAsync(start, start + TimeSpan.FromDays(middle), cancellationToken).ConfigureAwait(false))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }
        return start + TimeSpan.FromDays(low);
    }

    private async Task<bool> AnyCreatedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        (await index.PageAsync(OrderIndex.CreatedPartition, from, to, 1, null, cancellationToken).ConfigureAwait(false)).OrderIds.Count > 0;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Customer data retention: erased {Erased} orders' contact details ({Scrubbed} audit entries scrubbed), {Held} held until they end; done before {DoneBefore:O}")]
    private partial void LogRun(int erased, int held, int scrubbed, DateTimeOffset doneBefore);
}

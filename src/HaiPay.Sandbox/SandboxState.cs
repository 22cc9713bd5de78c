using System.Collections.Concurrent;
using HaiPay.Sandbox.Faults;
using HaiPay.Sandbox.Orders;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox;

/// <summary>
/// Everything the sandbox remembers, in memory only (a restart forgets it): orders, counters, behaviours and armed
/// faults. Thread-safe: concurrent dictionaries, one lock per order, one lock for the fault list.
/// </summary>
public sealed class SandboxState : IDisposable
{
    private readonly OrderBehaviour _configuredDefault;
    private ConcurrentDictionary<(long AppId, string OrderId), SandboxOrder> _byOrderId = new();
    private ConcurrentDictionary<string, SandboxOrder> _byOrderNo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OrderBehaviour> _behaviours = new(StringComparer.Ordinal);
    private volatile OrderBehaviour _defaultBehaviour;
    private CancellationTokenSource _generation = new();

    public SandboxState(IOptions<SandboxOptions> options)
    {
        _configuredDefault = options.Value.DefaultBehaviour;
        _defaultBehaviour = _configuredDefault;
    }

    public SandboxCounters Counters { get; } = new();

    public FaultBook Faults { get; } = new();

    /// <summary>The behaviour of orders that have none of their own.</summary>
    public OrderBehaviour DefaultBehaviour
    {
        get => _defaultBehaviour;
        set => _defaultBehaviour = Checked(value);
    }

    /// <summary>Gives one merchant orderId (either currency) its own behaviour; it may be set before the apply.</summary>
    public void SetBehaviour(string orderId, OrderBehaviour behaviour) => _behaviours[orderId] = Checked(behaviour);

    public bool RemoveBehaviour(string orderId) => _behaviours.TryRemove(orderId, out _);

    /// <summary>The orderId's own behaviour, else the default.</summary>
    public OrderBehaviour BehaviourFor(string orderId) =>
        _behaviours.TryGetValue(orderId, out var behaviour) ? behaviour : _defaultBehaviour;

    /// <summary>The orderId's own behaviour, or null when it uses the default.</summary>
    public OrderBehaviour? OwnBehaviour(string orderId) => _behaviours.GetValueOrDefault(orderId);

    public IReadOnlyList<SandboxOrderView> Orders =>
        _byOrderNo.Values.Select(o => o.Snapshot(Counters.For(o.OrderId))).OrderBy(o => o.CreatedAt).ToList();

    /// <summary>The order with this orderNo, else the one with this merchant orderId. Null when none or ambiguous.</summary>
    public SandboxOrderView? FindOrder(string orderNoOrOrderId) =>
        Find(orderNoOrOrderId, out var order) == FindResult.Found ? order!.Snapshot(Counters.For(order.OrderId)) : null;

    /// <summary>
    /// Forgets every order, count, behaviour and fault, and cancels scheduled work (auto actions, pending
    /// confirmations, queued callbacks). Keys and appIds stay.
    /// </summary>
    public void Reset()
    {
        var old = Interlocked.Exchange(ref _generation, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
        _byOrderId = new ConcurrentDictionary<(long AppId, string OrderId), SandboxOrder>();
        _byOrderNo = new ConcurrentDictionary<string, SandboxOrder>(StringComparer.Ordinal);
        _behaviours.Clear();
        _defaultBehaviour = _configuredDefault;
        Faults.Clear();
        Counters.Reset();
    }

    public void Dispose() => _generation.Cancel();

    /// <summary>Cancelled by <see cref="Reset"/> and at shutdown: work scheduled under it is abandoned.</summary>
    internal CancellationToken Generation
    {
        get
        {
            try
            {
                return _generation.Token;
            }
            catch (ObjectDisposedException)
            {
                return new CancellationToken(canceled: true);
            }
        }
    }

    /// <summary>Adds the order unless its orderId is already used with its appId.</summary>
    internal bool TryAdd(SandboxOrder order)
    {
        if (!_byOrderId.TryAdd((order.AppId, order.OrderId), order))
        {
            return false;
        }
        _byOrderNo[order.OrderNo] = order;
        return true;
    }

    internal SandboxOrder? Find(long appId, string orderId) => _byOrderId.GetValueOrDefault((appId, orderId));

    internal SandboxOrder? FindByOrderNo(string orderNo) => _byOrderNo.GetValueOrDefault(orderNo);

    internal FindResult Find(string orderNoOrOrderId, out SandboxOrder? order)
    {
        if (_byOrderNo.TryGetValue(orderNoOrOrderId, out order))
        {
            return FindResult.Found;
        }
        var matches = _byOrderId.Where(kv => kv.Key.OrderId == orderNoOrOrderId).Select(kv => kv.Value).Take(2).ToList();
        order = matches.Count == 1 ? matches[0] : null;
        return matches.Count switch
        {
            0 => FindResult.NotFound,
            1 => FindResult.Found,
            _ => FindResult.Ambiguous,
        };
    }

    private static OrderBehaviour Checked(OrderBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        var problems = BehaviourRules.Validate(behaviour);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "Invalid behaviour: " + string.Join("; ", problems.Select(p => $"{p.Key} {string.Join(", ", p.Value)}")), nameof(behaviour));
        }
        return behaviour;
    }
}

internal enum FindResult
{
    Found,
    NotFound,
    Ambiguous,
}

/// <summary>The limits of an <see cref="OrderBehaviour"/>.</summary>
public static class BehaviourRules
{
    public const int MaxCopies = 100;

    /// <summary>Problems keyed by JSON property path; empty when valid.</summary>
    public static Dictionary<string, string[]> Validate(OrderBehaviour behaviour)
    {
        var problems = new Dictionary<string, string[]>();
        if (behaviour.AutoAction is { } action && !Enum.IsDefined(action))
        {
            problems["autoAction"] = ["must be pay, fail, partial or over"];
        }
        if (behaviour.AutoActionDelay < TimeSpan.Zero)
        {
            problems["autoActionDelay"] = ["must not be negative"];
        }
        if (behaviour.PendingConfirmation < TimeSpan.Zero)
        {
            problems["pendingConfirmation"] = ["must not be negative"];
        }
        if (behaviour.Callback is null)
        {
            problems["callback"] = ["must be an object"];
            return problems;
        }
        if (behaviour.Callback.Copies is < 1 or > MaxCopies)
        {
            problems["callback.copies"] = [$"must be 1–{MaxCopies}"];
        }
        if (behaviour.Callback.Delay < TimeSpan.Zero)
        {
            problems["callback.delay"] = ["must not be negative"];
        }
        if (!Enum.IsDefined(behaviour.Callback.Reorder))
        {
            problems["callback.reorder"] = ["must be none, stale or contradicting"];
        }
        return problems;
    }
}

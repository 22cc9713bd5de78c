using System.Globalization;
using HaiPay.Client;
using HaiPay.Sandbox.Callbacks;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Orders;

/// <summary>Why an order action was refused.</summary>
public enum OrderActionError
{
    NotFound,
    Ambiguous,
    AlreadyFinal,
    PendingConfirmation,
    NotPending,
    NotFinal,
    NoNotifyUrl,
    InvalidAmount,
}

/// <summary>An order action that cannot be done; the order is unchanged.</summary>
public sealed class OrderActionException(OrderActionError error, string message) : Exception(message)
{
    public OrderActionError Error { get; } = error;
}

/// <summary>
/// The life of an order: created (0), opened at checkout (1), settled by a button, the control API or an auto action,
/// optionally through pending confirmation (-1), into a final status (2, 3, 4, 5) that never changes again. Every final
/// transition hands its callback to the <see cref="CallbackDispatcher"/>. Each order changes only under its own lock.
/// </summary>
public sealed class OrderLifecycle
{
    private readonly SandboxState _state;
    private readonly SandboxScheduler _scheduler;
    private readonly CallbackDispatcher _callbacks;
    private readonly SandboxOptions _options;
    private readonly TimeProvider _time;
    private long _orderSequence;

    internal OrderLifecycle(
        SandboxState state, SandboxScheduler scheduler, CallbackDispatcher callbacks, IOptions<SandboxOptions> options, TimeProvider time)
    {
        _state = state;
        _scheduler = scheduler;
        _callbacks = callbacks;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Settles an order as the checkout buttons do.</summary>
    /// <param name="orderNoOrOrderId">The orderNo, or the merchant orderId when only one currency has it.</param>
    /// <param name="action">Pay (2), Fail (3), Partial (4) or Over (5).</param>
    /// <param name="amount">Partial/Over: the amount collected (default half / +10%). Pay: the order amount or nothing.</param>
    /// <param name="errorMsg">Fail: the errorMsg reported (a default otherwise).</param>
    public SandboxOrderView Settle(string orderNoOrOrderId, SettleAction action, decimal? amount = null, string? errorMsg = null) =>
        Settle(Resolve(orderNoOrOrderId), action, amount, errorMsg);

    /// <summary>Ends an order's pending-confirmation phase now instead of when its duration runs out.</summary>
    public SandboxOrderView Confirm(string orderNoOrOrderId)
    {
        var order = Resolve(orderNoOrOrderId);
        if (!TryConfirm(order))
        {
            throw new OrderActionException(OrderActionError.NotPending, $"Order {order.OrderNo} is not pending confirmation.");
        }
        return View(order);
    }

    /// <summary>Delivers the final callback of a final order once more (ignores the order's callback behaviour).</summary>
    public SandboxOrderView ResendCallback(string orderNoOrOrderId)
    {
        var order = Resolve(orderNoOrOrderId);
        CallbackNotice notice;
        lock (order.Gate)
        {
            if (!order.Status.IsFinal())
            {
                throw new OrderActionException(OrderActionError.NotFinal, $"Order {order.OrderNo} is not final (status {order.Status.ToWire()}): there is no callback to resend.");
            }
            if (order.NotifyUrl is null)
            {
                throw new OrderActionException(OrderActionError.NoNotifyUrl,
                    $"Order {order.OrderNo} has no notifyUrl (and Sandbox:DefaultNotifyUrl is not set): there is nowhere to send a callback.");
            }
            notice = CallbackNotice.From(order);
        }
        _callbacks.Resend(notice);
        return View(order);
    }

    internal SandboxOrder? Create(Currency currency, long appId, ApplyRequest request, decimal amount)
    {
        var now = _time.GetUtcNow();
        var sequence = Interlocked.Increment(ref _orderSequence);
        var order = new SandboxOrder
        {
            Currency = currency,
            AppId = appId,
            OrderId = request.OrderId,
            OrderNo = string.Create(CultureInfo.InvariantCulture,
                $"SBX{now.ToOffset(_options.ProviderUtcOffset):yyyyMMdd}{sequence:D8}"),
            Amount = amount,
            PayType = request.PayType,
            InBankCode = request.InBankCode,
            CallBackUrl = request.CallBackUrl,
            CallBackFailUrl = request.CallBackFailUrl,
            NotifyUrl = string.IsNullOrEmpty(request.NotifyUrl) ? _options.DefaultNotifyUrl?.ToString() : request.NotifyUrl,
            CreatedAt = now,
        };
        if (!_state.TryAdd(order))
        {
            return null;
        }
        var behaviour = _state.BehaviourFor(order.OrderId);
        if (behaviour.AutoAction is { } action)
        {
            _scheduler.After(behaviour.AutoActionDelay, () => SettleIfOpen(order, action));
        }
        return order;
    }

    /// <summary>The customer opened the checkout page: 0 becomes 1 (processing).</summary>
    internal void Open(SandboxOrder order)
    {
        lock (order.Gate)
        {
            if (order.Status == CollectionStatus.NotStarted)
            {
                order.Status = CollectionStatus.Processing;
            }
        }
    }

    internal SandboxOrderView Settle(SandboxOrder order, SettleAction action, decimal? amount, string? errorMsg)
    {
        CallbackNotice? notice;
        CallbackBehaviour callbackBehaviour;
        lock (order.Gate)
        {
            if (order.Status.IsFinal())
            {
                throw new OrderActionException(OrderActionError.AlreadyFinal,
                    $"Order {order.OrderNo} is already final (status {order.Status.ToWire()}).");
            }
            if (order.Status == CollectionStatus.PendingConfirmation)
            {
                throw new OrderActionException(OrderActionError.PendingConfirmation,
                    $"Order {order.OrderNo} is pending confirmation; it becomes final by itself or by confirm.");
            }
            var settlement = Outcome(order, action, amount, errorMsg);
            var behaviour = _state.BehaviourFor(order.OrderId);
            callbackBehaviour = behaviour.Callback;
            if (behaviour.PendingConfirmation > TimeSpan.Zero)
            {
                order.Status = CollectionStatus.PendingConfirmation;
                order.PendingSettlement = settlement;
                _scheduler.After(behaviour.PendingConfirmation, () => TryConfirm(order));
                notice = null;
            }
            else
            {
                notice = Finalize(order, settlement);
            }
        }
        if (notice is not null)
        {
            _callbacks.Publish(notice, callbackBehaviour);
        }
        return View(order);
    }

    private void SettleIfOpen(SandboxOrder order, SettleAction action)
    {
        try
        {
            Settle(order, action, amount: null, errorMsg: null);
        }
        catch (OrderActionException)
        {
            // The customer or the control API settled the order first: the auto action has nothing left to do.
        }
    }

    private bool TryConfirm(SandboxOrder order)
    {
        CallbackNotice notice;
        lock (order.Gate)
        {
            if (order.Status != CollectionStatus.PendingConfirmation || order.PendingSettlement is null)
            {
                return false;
            }
            notice = Finalize(order, order.PendingSettlement);
        }
        _callbacks.Publish(notice, _state.BehaviourFor(order.OrderId).Callback);
        return true;
    }

    /// <summary>Moves the order into its final status. Call under the order's lock.</summary>
    private CallbackNotice Finalize(SandboxOrder order, Settlement settlement)
    {
        order.LastNonFinalStatus = order.Status;
        order.Status = settlement.Status;
        order.PendingSettlement = null;
        order.CollectedAmount = settlement.CollectedAmount;
        order.Fee = Math.Round(settlement.CollectedAmount * _options.FeePercent / 100m, 2, MidpointRounding.AwayFromZero);
        order.PayTime = settlement.CollectedAmount > 0 ? _time.GetUtcNow() : null;
        order.ErrorMsg = settlement.ErrorMsg;
        return CallbackNotice.From(order);
    }

    private static Settlement Outcome(SandboxOrder order, SettleAction action, decimal? amount, string? errorMsg)
    {
        if (amount is { } given && (given <= 0 || decimal.Round(given, 2) != given))
        {
            throw new OrderActionException(OrderActionError.InvalidAmount, $"Amount {given} must be positive with at most 2 decimals.");
        }
        switch (action)
        {
            case SettleAction.Pay:
                if (amount is { } paid && paid != order.Amount)
                {
                    throw new OrderActionException(OrderActionError.InvalidAmount,
                        $"Pay collects the order amount {HaiPayAmount.Format(order.Amount)}; use partial or over for {paid}.");
                }
                return new Settlement(CollectionStatus.Success, order.Amount, null);
            case SettleAction.Fail:
                return new Settlement(CollectionStatus.Failed, 0m,
                    string.IsNullOrWhiteSpace(errorMsg) ? "Payment failed (sandbox)" : errorMsg);
            case SettleAction.Partial:
                var partial = amount ?? Math.Round(order.Amount / 2, 2, MidpointRounding.ToZero);
                if (partial <= 0 || partial >= order.Amount)
                {
                    throw new OrderActionException(OrderActionError.InvalidAmount,
                        $"A partial collection must be more than 0 and less than {HaiPayAmount.Format(order.Amount)}.");
                }
                return new Settlement(CollectionStatus.PartialCollection, partial, null);
            case SettleAction.Over:
                var over = amount ?? Math.Max(Math.Round(order.Amount * 1.1m, 2, MidpointRounding.AwayFromZero), order.Amount + 0.01m);
                if (over <= order.Amount)
                {
                    throw new OrderActionException(OrderActionError.InvalidAmount,
                        $"An over-collection must be more than {HaiPayAmount.Format(order.Amount)}.");
                }
                return new Settlement(CollectionStatus.OverCollection, over, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    private SandboxOrder Resolve(string orderNoOrOrderId) => _state.Find(orderNoOrOrderId, out var order) switch
    {
        FindResult.Found => order!,
        FindResult.Ambiguous => throw new OrderActionException(OrderActionError.Ambiguous,
            $"Both currencies have an order {orderNoOrOrderId}; use its orderNo."),
        _ => throw new OrderActionException(OrderActionError.NotFound, $"No order {orderNoOrOrderId}."),
    };

    private SandboxOrderView View(SandboxOrder order) => order.Snapshot(_state.Counters.For(order.OrderId));
}

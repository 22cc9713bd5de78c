using System.Net;
using HaiPay.Catalogue;
using HaiPay.Sandbox.Catalogue;
using HaiPay.Sandbox.Faults;
using HaiPay.Sandbox.Keys;
using HaiPay.Sandbox.Orders;

namespace HaiPay.Sandbox.Control;

/// <summary>Body of the order actions: an amount for partial/over (wire format, e.g. "5.00"), an errorMsg for fail.</summary>
internal sealed record OrderActionBody(string? Amount, string? ErrorMsg);

/// <summary>
/// The control API under <c>/_sandbox/</c> (JSON, loopback callers only): health, merchant settings, counters, orders
/// and direct actions on them, behaviours, faults, payment methods and reset. Bad input gets RFC 9457 problem details and changes nothing.
/// Every endpoint is documented with a curl example in docs/sandbox.md.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var control = routes.MapGroup("/_sandbox").AddEndpointFilter(LoopbackOnly);

        control.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        control.MapGet("/merchant-settings", (SandboxMerchantSettings settings) =>
            Results.Content(settings.ToJson(), "application/json; charset=utf-8"));

        control.MapGet("/counters", (SandboxState state) => Results.Ok(state.Counters.Total));
        control.MapGet("/counters/{orderId}", (string orderId, SandboxState state) => Results.Ok(state.Counters.For(orderId)));

        control.MapGet("/orders", (SandboxState state) => Results.Ok(state.Orders.Select(OrderJson.From)));
        control.MapGet("/orders/{order}", (string order, SandboxState state) =>
            state.FindOrder(order) is { } view ? Results.Ok(OrderJson.From(view)) : NoOrder(order));
        control.MapPost("/orders/{order}/{action}", async (string order, string action, HttpContext http, OrderLifecycle lifecycle) =>
        {
            var (body, problem) = await ControlJson.ReadAsync(http, empty: new OrderActionBody(null, null));
            return problem ?? Act(order, action, body!, lifecycle);
        });

        control.MapGet("/behaviour", (SandboxState state) => Results.Ok(state.DefaultBehaviour));
        control.MapPut("/behaviour", async (HttpContext http, SandboxState state) =>
        {
            var (behaviour, problem) = await ControlJson.ReadAsync<OrderBehaviour>(http);
            if ((problem ?? Invalid(behaviour!)) is { } refused)
            {
                return refused;
            }
            state.DefaultBehaviour = behaviour!;
            return Results.Ok(behaviour);
        });
        control.MapGet("/behaviour/{orderId}", (string orderId, SandboxState state) =>
            Results.Ok(new { orderId, own = state.OwnBehaviour(orderId) is not null, behaviour = state.BehaviourFor(orderId) }));
        control.MapPut("/behaviour/{orderId}", async (string orderId, HttpContext http, SandboxState state) =>
        {
            var (behaviour, problem) = await ControlJson.ReadAsync<OrderBehaviour>(http);
            if ((problem ?? Invalid(behaviour!)) is { } refused)
            {
                return refused;
            }
            state.SetBehaviour(orderId, behaviour!);
            return Results.Ok(behaviour);
        });
        control.MapDelete("/behaviour/{orderId}", (string orderId, SandboxState state) =>
            state.RemoveBehaviour(orderId) ? Results.NoContent() : NotFound($"Order {orderId} has no behaviour of its own."));

        control.MapGet("/faults", (SandboxState state) => Results.Ok(state.Faults.List()));
        control.MapPost("/faults", async (HttpContext http, SandboxState state) =>
        {
            var (rule, problem) = await ControlJson.ReadAsync<FaultRule>(http);
            if (problem is not null)
            {
                return problem;
            }
            var problems = rule!.Validate();
            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, title: "The fault is not valid.");
            }
            var fault = state.Faults.Add(rule);
            return Results.Created($"/_sandbox/faults/{fault.Id}", fault);
        });
        control.MapDelete("/faults", (SandboxState state) =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });
        control.MapDelete("/faults/{id:guid}", (Guid id, SandboxState state) =>
            state.Faults.Remove(id) ? Results.NoContent() : NotFound($"No armed fault {id}."));

        control.MapGet("/methods", (SandboxMethods methods) => Results.Ok(methods.Current.Methods.Select(MethodJson.From)));
        control.MapPut("/methods/{currency}/{inBankCode}", async (string currency, string inBankCode, HttpContext http, SandboxMethods methods) =>
        {
            if (!CurrencyExtensions.TryParse(currency, out var parsed))
            {
                return NotFound($"Unknown currency '{currency}': use hkd or usd.");
            }
            var (change, problem) = await ControlJson.ReadAsync<MethodChange>(http);
            if (problem is not null)
            {
                return problem;
            }
            var (method, problems) = methods.Change(parsed, inBankCode, change!);
            if (method is null)
            {
                return NotFound($"No {parsed} method {inBankCode}.");
            }
            return problems is not null
                ? Results.ValidationProblem(problems, title: "The change is not valid.")
                : Results.Ok(MethodJson.From(method));
        });

        control.MapPost("/reset", (SandboxState state, SandboxMethods methods) =>
        {
            state.Reset();
            methods.Reset();
            return Results.NoContent();
        });
    }

    private static IResult Act(string order, string action, OrderActionBody body, OrderLifecycle lifecycle)
    {
        decimal? amount = null;
        if (!string.IsNullOrEmpty(body.Amount))
        {
            if (!HaiPayAmount.TryParse(body.Amount, out var parsed))
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["amount"] = ["must be a decimal string with at most 2 decimals, e.g. \"5.00\""] },
                    title: "The action is not valid.");
            }
            amount = parsed;
        }
        try
        {
            var view = action switch
            {
                "pay" => lifecycle.Settle(order, SettleAction.Pay, amount),
                "fail" => lifecycle.Settle(order, SettleAction.Fail, amount, body.ErrorMsg),
                "partial" => lifecycle.Settle(order, SettleAction.Partial, amount),
                "over" => lifecycle.Settle(order, SettleAction.Over, amount),
                "confirm" => lifecycle.Confirm(order),
                "resend-callback" => lifecycle.ResendCallback(order),
                _ => null,
            };
            return view is null
                ? NotFound($"Unknown action '{action}': use pay, fail, partial, over, confirm or resend-callback.")
                : Results.Ok(OrderJson.From(view));
        }
        catch (OrderActionException ex)
        {
            return ex.Error switch
            {
                OrderActionError.NotFound => NotFound(ex.Message),
                OrderActionError.InvalidAmount => Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid amount."),
                _ => Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "The order cannot do that now."),
            };
        }
    }

    private static IResult? Invalid(OrderBehaviour behaviour)
    {
        var problems = BehaviourRules.Validate(behaviour);
        return problems.Count > 0 ? Results.ValidationProblem(problems, title: "The behaviour is not valid.") : null;
    }

    private static IResult NoOrder(string order) => NotFound($"No order {order} (or both currencies have it: use the orderNo).");

    private static IResult NotFound(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    private static ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote))
        {
            return ValueTask.FromResult<object?>(Results.Problem("The control API answers loopback callers only.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden."));
        }
        return next(context);
    }
}

/// <summary>A payment method as the control API shows it; limits as wire strings.</summary>
internal sealed record MethodJson(string Currency, string PayType, string InBankCode, string Min, string Max, PaymentMethodState State)
{
    public static MethodJson From(PaymentMethod m) =>
        new(m.Currency.ToString(), m.PayType, m.InBankCode, HaiPayAmount.Format(m.Min), HaiPayAmount.Format(m.Max), m.State);
}

/// <summary>An order as the control API shows it; money as wire strings.</summary>
internal sealed record OrderJson(
    string Currency, long AppId, string OrderId, string OrderNo, string Amount, string PayType, string InBankCode,
    int Status, string StatusName, string CollectedAmount, string Fee, DateTimeOffset? PayTime, string? ErrorMsg,
    string CallBackUrl, string CallBackFailUrl, string? NotifyUrl, DateTimeOffset CreatedAt, OrderCounters Counters)
{
    public static OrderJson From(SandboxOrderView o) => new(
        o.Currency.ToString(), o.AppId, o.OrderId, o.OrderNo, HaiPayAmount.Format(o.Amount), o.PayType, o.InBankCode,
        o.Status.ToWire(), o.Status.ToString(), HaiPayAmount.Format(o.CollectedAmount), HaiPayAmount.Format(o.Fee), o.PayTime,
        o.ErrorMsg, o.CallBackUrl, o.CallBackFailUrl, o.NotifyUrl, o.CreatedAt, o.Counters);
}

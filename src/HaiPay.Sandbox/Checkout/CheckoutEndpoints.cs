using HaiPay.Catalogue;
using HaiPay.Sandbox.Orders;

namespace HaiPay.Sandbox.Checkout;

/// <summary>
/// The payUrl: <c>GET /checkout/{orderNo}</c> shows the order (and marks it processing); the Pay, Fail and Pay
/// partially buttons post to <c>/checkout/{orderNo}/{pay|fail|partial}</c>, which settles the order and redirects
/// (303) to callBackUrl, or callBackFailUrl after Fail. A final order only shows its final state.
/// </summary>
internal sealed class CheckoutEndpoints(SandboxState state, OrderLifecycle lifecycle, Catalogue.SandboxMethods methods)
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/checkout/{orderNo}", (string orderNo, CheckoutEndpoints checkout) => checkout.Show(orderNo));
        routes.MapPost("/checkout/{orderNo}/{action}", (string orderNo, string action, CheckoutEndpoints checkout) =>
            checkout.Act(orderNo, action));
    }

    private IResult Show(string orderNo)
    {
        var order = state.FindByOrderNo(orderNo);
        if (order is null)
        {
            return NotFound(orderNo);
        }
        lifecycle.Open(order);
        return Page(order, notice: null, StatusCodes.Status200OK);
    }

    private IResult Act(string orderNo, string action)
    {
        var order = state.FindByOrderNo(orderNo);
        if (order is null)
        {
            return NotFound(orderNo);
        }
        SettleAction settle;
        switch (action)
        {
            case "pay": settle = SettleAction.Pay; break;
            case "fail": settle = SettleAction.Fail; break;
            case "partial": settle = SettleAction.Partial; break;
            default: return Results.NotFound();
        }
        try
        {
            lifecycle.Settle(order, settle, amount: null, errorMsg: null);
        }
        catch (OrderActionException ex)
        {
            return Page(order, ex.Message, StatusCodes.Status409Conflict);
        }
        return new SeeOther(settle == SettleAction.Fail ? order.CallBackFailUrl : order.CallBackUrl);
    }

    private IResult Page(SandboxOrder order, string? notice, int statusCode)
    {
        var view = order.Snapshot(state.Counters.For(order.OrderId));
        return Results.Content(CheckoutPage.Render(view, methods.Current.Find(view.Currency, view.InBankCode), notice),
            "text/html; charset=utf-8", statusCode: statusCode);
    }

    private static IResult NotFound(string orderNo) => Results.Content(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Order not found</title></head><body><h1>Order not found</h1><p>{System.Net.WebUtility.HtmlEncode(orderNo)}</p></body></html>",
        "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);

    /// <summary>HTTP 303 See Other: the browser follows with a GET.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}

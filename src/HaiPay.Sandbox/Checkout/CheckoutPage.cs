using System.Net;
using System.Text;
using HaiPay.Catalogue;
using HaiPay.Sandbox.Orders;

namespace HaiPay.Sandbox.Checkout;

/// <summary>The customer's payment page: self-contained HTML (inline style, no script, no external asset).</summary>
internal static class CheckoutPage
{
    public static string Render(SandboxOrderView order, PaymentMethod? method, string? notice)
    {
        var open = order.Status is CollectionStatus.NotStarted or CollectionStatus.Processing;
        var html = new StringBuilder(2048);
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>HaiPay sandbox checkout</title>
            <style>
            body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
            main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: .5rem; padding: 1.5rem 2rem; box-shadow: 0 1px 4px #0002; }
            h1 { font-size: 1.2rem; margin: 0 0 1rem; }
            .amount { font-size: 2rem; font-weight: 600; margin: .5rem 0 1rem; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0 0 1.25rem; }
            dt { color: #555; } dd { margin: 0; word-break: break-all; }
            .notice { background: #fff4d6; border: 1px solid #e8c66a; padding: .5rem .75rem; border-radius: .25rem; }
            .actions { display: flex; gap: .5rem; flex-wrap: wrap; }
            button { font-size: 1rem; padding: .55rem 1.1rem; border-radius: .3rem; border: 1px solid #888; cursor: pointer; background: #fff; }
            button.pay { background: #1a7f37; color: #fff; border-color: #1a7f37; }
            button.fail { background: #b42318; color: #fff; border-color: #b42318; }
            footer { color: #888; font-size: .8rem; margin-top: 1.25rem; }
            </style>
            </head>
            <body>
            <main>
            <h1>HaiPay sandbox checkout</h1>
            """);
        html.Append("<div class=\"amount\" id=\"amount\">").Append(Encode(HaiPayAmount.Format(order.Amount)))
            .Append(' ').Append(Encode(order.Currency.ToString())).Append("</div>\n<dl>\n");
        Row(html, "Method", method is null ? order.InBankCode : $"{method.Description} ({order.InBankCode}, {order.PayType})", "method");
        Row(html, "Merchant order", order.OrderId, "order-id");
        Row(html, "Order no.", order.OrderNo, "order-no");
        Row(html, "Status", $"{StatusText(order.Status)} ({order.Status.ToWire()})", "status");
        if (order.Status.IsFinal())
        {
            Row(html, "Collected", $"{HaiPayAmount.Format(order.CollectedAmount)} {order.Currency}", "collected");
        }
        if (order.ErrorMsg is not null)
        {
            Row(html, "Error", order.ErrorMsg, "error");
        }
        html.Append("</dl>\n");
        if (notice is not null)
        {
            html.Append("<p class=\"notice\" id=\"notice\">").Append(Encode(notice)).Append("</p>\n");
        }
        if (open)
        {
            var action = "/checkout/" + Uri.EscapeDataString(order.OrderNo);
            html.Append("<div class=\"actions\">\n");
            Button(html, action + "/pay", "pay", "Pay");
            Button(html, action + "/fail", "fail", "Fail");
            Button(html, action + "/partial", "partial", "Pay partially");
            html.Append("</div>\n");
        }
        html.Append("<footer>A local simulator of HaiPay. No real money moves.</footer>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string StatusText(CollectionStatus status) => status switch
    {
        CollectionStatus.NotStarted => "Not started",
        CollectionStatus.Processing => "Awaiting payment",
        CollectionStatus.PendingConfirmation => "Pending confirmation",
        CollectionStatus.Success => "Paid",
        CollectionStatus.Failed => "Failed",
        CollectionStatus.PartialCollection => "Partially paid",
        CollectionStatus.OverCollection => "Overpaid",
        _ => status.ToString(),
    };

    private static void Row(StringBuilder html, string label, string value, string id) =>
        html.Append("<dt>").Append(Encode(label)).Append("</dt><dd id=\"").Append(id).Append("\">").Append(Encode(value)).Append("</dd>\n");

    private static void Button(StringBuilder html, string action, string css, string label) =>
        html.Append("<form method=\"post\" action=\"").Append(Encode(action)).Append("\"><button type=\"submit\" class=\"")
            .Append(css).Append("\" id=\"").Append(css).Append("\">").Append(Encode(label)).Append("</button></form>\n");

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}

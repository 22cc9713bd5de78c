namespace Collect.Core.Http;

/// <summary>
/// The HTTP routes of the product, relative to the <c>api/</c> prefix the Functions host adds. The Functions app's
/// triggers and the local runner's endpoints both take them from here; tests compare both with the built
/// functions.metadata.
/// </summary>
public static class CollectRoutes
{
    public const string Prefix = "api";

    /// <summary><c>POST</c>: create an order.</summary>
    public const string Orders = "orders";

    /// <summary><c>GET</c>: one order's view.</summary>
    public const string Order = "orders/{orderId}";

    /// <summary><c>POST</c>: HaiPay's notify callback.</summary>
    public const string HaiPayNotify = "haipay/notify";

    /// <summary><c>GET</c>: whether this instance reaches its storage and keys (anonymous; 200 or 503).</summary>
    public const string Health = "health";

    /// <summary><c>GET</c>: the operations console page (<c>/api/ops</c>).</summary>
    public const string OpsConsole = "ops";

    /// <summary><c>GET</c>: the console's script and style sheet.</summary>
    public const string OpsConsoleScript = "ops/console.js";
    public const string OpsConsoleStyle = "ops/console.css";

    /// <summary><c>GET</c>: orders by status and time.</summary>
    public const string OpsOrders = "ops/orders";

    /// <summary><c>GET</c>: one order's timeline.</summary>
    public const string OpsOrder = "ops/orders/{orderId}";

    /// <summary><c>POST</c> actions on one order.</summary>
    public const string OpsRequery = "ops/orders/{orderId}/requery";
    public const string OpsResolve = "ops/orders/{orderId}/resolve";
    public const string OpsCancel = "ops/orders/{orderId}/cancel";
    public const string OpsRestart = "ops/orders/{orderId}/restart";
    public const string OpsRedeliver = "ops/orders/{orderId}/events/{sequence}/redeliver";

    /// <summary><c>GET</c> undelivered storefront events; <c>POST</c> redeliver them all.</summary>
    public const string OpsUndelivered = "ops/events/undelivered";
    public const string OpsRedeliverAll = "ops/events/redeliver";

    /// <summary><c>GET</c>: the payment-method catalogue in force on the answering instance and where it came from.</summary>
    public const string OpsCatalogue = "ops/catalogue";

    /// <summary>Every route with its method, as (method, route) pairs.</summary>
    public static IReadOnlyList<(string Method, string Route)> All { get; } =
    [
        ("POST", Orders),
        ("GET", Order),
        ("POST", HaiPayNotify),
        ("GET", Health),
        ("GET", OpsConsole),
        ("GET", OpsConsoleScript),
        ("GET", OpsConsoleStyle),
        ("GET", OpsOrders),
        ("GET", OpsOrder),
        ("POST", OpsRequery),
        ("POST", OpsResolve),
        ("POST", OpsCancel),
        ("POST", OpsRestart),
        ("POST", OpsRedeliver),
        ("GET", OpsUndelivered),
        ("POST", OpsRedeliverAll),
        ("GET", OpsCatalogue),
    ];
}

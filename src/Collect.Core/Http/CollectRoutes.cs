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

    /// <summary>Every route with its method, as (method, route) pairs.</summary>
    public static IReadOnlyList<(string Method, string Route)> All { get; } =
    [
        ("POST", Orders),
        ("GET", Order),
        ("POST", HaiPayNotify),
    ];
}

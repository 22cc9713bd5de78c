using Microsoft.AspNetCore.Http;

namespace Collect.Core.Http;

/// <summary>The product's RFC 9457 problem details, so every handler answers the same way.</summary>
public static class Problems
{
    public static IResult Status(int statusCode, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: statusCode, title: title, detail: detail, extensions: extensions);

    public static IResult BadRequest(string title, string detail) => Status(StatusCodes.Status400BadRequest, title, detail);

    public static IResult TooLarge(int maxBytes) => Status(StatusCodes.Status413PayloadTooLarge,
        "The request body is too large.", $"The body may be at most {maxBytes / 1024} KiB.");

    public static IResult UnsupportedMediaType(string? contentType, string expected) => Status(StatusCodes.Status415UnsupportedMediaType,
        "The request body has an unsupported content type.",
        $"Content-Type '{contentType}' is not supported; send {expected}.");

    /// <summary>404; the orderId is echoed only when it is a valid one (never hostile text back to a screen).</summary>
    public static IResult NotFound(string? orderId) => Status(StatusCodes.Status404NotFound,
        "No such order.", Orders.OrderIds.IsValid(orderId) ? $"There is no order {orderId}." : "There is no such order.");
}

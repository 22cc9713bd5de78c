using Collect.Core.Http;
using Collect.Core.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Collect.Functions;

/// <summary><c>GET /api/health</c> (anonymous: the smoke probe and health checks carry no key).</summary>
public sealed class HealthFunction(ServiceHealth health)
{
    public const string Name = "Health";

    [Function(Name)]
    public Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.Health)] HttpRequest request) =>
        health.GetAsync(request.HttpContext.RequestAborted);
}

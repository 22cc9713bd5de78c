using Collect.Core;
using Collect.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Worker log levels and OpenTelemetry (host.json's logging levels govern the Functions host only, not this worker).
builder.AddCollectTelemetryExport();

builder.Services.AddCollectCore(builder.Configuration);
// Problem details for what the framework answers itself (as the local runner registers them).
builder.Services.AddProblemDetails();

builder.Build().Run();

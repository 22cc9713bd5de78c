using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Support;

/// <summary>
/// Counts point reads of table rows (<c>GET …(PartitionKey='p',RowKey='r')</c>) made by the product's storage
/// clients: add it with <see cref="AddTo"/> as <see cref="CollectEnvironment.CreateProduct"/>'s configure step.
/// </summary>
public sealed partial class RowReads : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<(string Partition, string Row), int> _reads = new();

    public void AddTo(IServiceCollection services) =>
        services.AddAzureClients(azure => azure.ConfigureDefaults(o => o.AddPolicy(this, HttpPipelinePosition.PerCall)));

    public int Of(string partition, string row) => _reads.GetValueOrDefault((partition, row));

    public override void OnSendingRequest(HttpMessage message)
    {
        var match = PointRead().Match(Uri.UnescapeDataString(message.Request.Uri.Path));
        if (message.Request.Method == RequestMethod.Get && match.Success)
        {
            _reads.AddOrUpdate((match.Groups[1].Value, match.Groups[2].Value), 1, (_, n) => n + 1);
        }
    }

    [GeneratedRegex(@"\(PartitionKey='([^']+)',RowKey='([^']+)'\)$")]
    private static partial Regex PointRead();
}

using Azure.Data.Tables;

namespace Collect.EndToEnd;

/// <summary>
/// Reads what the runner left in storage, as an operator (or Durable Functions Monitor) would: the audit trail of an
/// order and the task hub's history. Read-only.
/// </summary>
public sealed class StoredState(string connectionString, string taskHub, string ordersTable = "orders")
{
    /// <summary>An order's audit entries, oldest first (the <c>audit-</c> rows of the order's partition).</summary>
    public async Task<IReadOnlyList<AuditRow>> AuditAsync(string orderId, CancellationToken cancellationToken = default)
    {
        var table = new TableClient(connectionString, ordersTable);
        var rows = new List<AuditRow>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
                           TableClient.CreateQueryFilter($"PartitionKey eq {orderId} and RowKey ge {"audit-"} and RowKey lt {"audit."}"),
                           cancellationToken: cancellationToken))
        {
            rows.Add(new AuditRow(
                entity.GetString("Kind") ?? "",
                entity.GetString("Reason"),
                entity.GetString("Verification"),
                entity.GetInt32("ProviderStatus"),
                entity.GetString("Detail")));
        }
        return rows;
    }

    /// <summary>How many executions of the orchestration <paramref name="instanceId"/> were started (ContinueAsNew included).</summary>
    public async Task<int> ExecutionsStartedAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var history = new TableClient(connectionString, taskHub + "History");
        var started = 0;
        await foreach (var entity in history.QueryAsync<TableEntity>(
                           TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and EventType eq 'ExecutionStarted'"),
                           cancellationToken: cancellationToken))
        {
            started++;
        }
        return started;
    }

    /// <summary>The instance's runtime status in the task hub's Instances table (null when there is no such instance).</summary>
    public async Task<string?> RuntimeStatusAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var instances = new TableClient(connectionString, taskHub + "Instances");
        var row = await instances.GetEntityIfExistsAsync<TableEntity>(instanceId, "", cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("RuntimeStatus") : null;
    }
}

/// <summary>One audit entry: Kind (CallbackReceived, Apply, Query, Transition, Expire) and its main fields.</summary>
public sealed record AuditRow(string Kind, string? Reason, string? Verification, int? ProviderStatus, string? Detail);

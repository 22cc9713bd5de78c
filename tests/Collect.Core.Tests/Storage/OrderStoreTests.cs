using Azure.Data.Tables;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay;

namespace Collect.Core.Tests.Storage;

[Collection(CollectEnvironmentCollection.Name)]
public sealed class OrderStoreTests(CollectEnvironment environment)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static ProviderObservation Report(CollectionStatus status) =>
        new() { Status = status, StatusText = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), OrderNo = "SBX1", Amount = 100m };

    [Fact]
    public async Task Create_inserts_once_and_returns_the_existing_order_afterwards()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending(amount: 123.45m);

        var first = await store.CreateAsync(order);
        var second = await store.CreateAsync(order with { Email = "someone.else@example.com", RequestHash = "different" });

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(order.RequestHash, second.Order.RequestHash);
        Assert.Equal("tai.man@example.com", second.Order.Email);
        Assert.Equal(123.45m, second.Order.Amount);
    }

    [Fact]
    public async Task An_order_round_trips_every_field()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        var payTime = new DateTimeOffset(2026, 4, 17, 10, 0, 0, TimeSpan.FromHours(8));
        await store.UpdateAsync(order.OrderId, o => o with
        {
            Status = OrderStatus.Succeeded,
            ProviderStatus = CollectionStatus.Success,
            OrderNo = "SBX1",
            PayUrl = "http://pay/1",
            ActualAmount = 100.00m,
            Fee = 1.555m,
            PayTime = payTime,
            ErrorCode = "E",
            ErrorMessage = "M",
        }, "test");

        var stored = await store.GetAsync(order.OrderId);

        Assert.NotNull(stored);
        Assert.Equal(order with
        {
            Status = OrderStatus.Succeeded,
            ProviderStatus = CollectionStatus.Success,
            OrderNo = "SBX1",
            PayUrl = "http://pay/1",
            ActualAmount = 100.00m,
            Fee = 1.555m,
            PayTime = payTime,
            ErrorCode = "E",
            ErrorMessage = "M",
            ETag = stored.ETag,
            CreatedAt = stored.CreatedAt,
            UpdatedAt = stored.UpdatedAt,
        }, stored);
        Assert.Equal(TimeSpan.FromHours(8), stored.PayTime!.Value.Offset);
        Assert.Equal(order.CreatedAt.UtcTicks / 10_000, stored.CreatedAt.UtcTicks / 10_000);
    }

    [Fact]
    public async Task Unknown_orders_read_as_null_and_are_not_updated()
    {
        var store = environment.CreateStore();

        Assert.Null(await store.GetAsync("no-such-order"));
        Assert.Null(await store.UpdateAsync("no-such-order", o => o with { Status = OrderStatus.Failed }, "test"));
    }

    [Fact]
    public async Task A_writer_that_loses_the_etag_race_rereads_and_reapplies_the_rules()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now), "apply");

        // Writer A read AwaitingPayment and wants to record "processing"; before it writes, writer B stores a success.
        var calls = 0;
        var result = await store.UpdateAsync(order.OrderId, current =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                store.UpdateAsync(order.OrderId, o => OrderTransitions.Observe(o, Report(CollectionStatus.Success), Now), "writer B")
                    .GetAwaiter().GetResult();
            }
            return OrderTransitions.Observe(current, Report(CollectionStatus.Processing), Now);
        }, "writer A");

        Assert.Equal(2, calls);
        Assert.Equal(OrderStatus.Succeeded, result!.Status);
        Assert.Equal(OrderStatus.Succeeded, (await store.GetAsync(order.OrderId))!.Status);
    }

    [Fact]
    public async Task An_update_from_a_stale_read_is_refused_by_its_etag_and_reapplied_to_the_stored_row()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        var stale = await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now), "apply");
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.Observe(o, Report(CollectionStatus.Success), Now), "writer B");

        var seen = new List<OrderStatus>();
        var result = await store.UpdateAsync(stale!, current =>
        {
            seen.Add(current.Status);
            return OrderTransitions.Observe(current, Report(CollectionStatus.Processing), Now);
        }, "writer A from its own read");

        Assert.Equal([OrderStatus.AwaitingPayment, OrderStatus.Succeeded], seen);
        Assert.Equal(OrderStatus.Succeeded, result!.Status);
        Assert.Equal(OrderStatus.Succeeded, (await store.GetAsync(order.OrderId))!.Status);
        var transitions = (await store.GetAuditAsync(order.OrderId)).Where(e => e.Kind == AuditKind.Transition).ToList();
        Assert.Single(transitions, t => t.ToStatus == OrderStatus.Succeeded);
    }

    [Fact]
    public async Task An_update_from_a_current_read_writes_without_reading_again_and_raises_the_change()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        var read = await store.GetAsync(order.OrderId);
        var changed = store.Changes.Watch(order.OrderId);

        var calls = 0;
        var result = await store.UpdateAsync(read!, o =>
        {
            calls++;
            return OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now);
        }, "apply");

        Assert.Equal(1, calls);
        Assert.True(changed.TryRead(out var signalled));
        Assert.Equal(OrderStatus.AwaitingPayment, result!.Status);
        Assert.Equal((OrderStatus.AwaitingPayment, result.ETag), (signalled.Status, signalled.ETag));
        Assert.Null(signalled.WrittenEvent);
        Assert.Equal(result.ETag, (await store.GetAsync(order.OrderId))!.ETag);
    }

    [Fact]
    public async Task Concurrent_writers_never_overwrite_a_final_status()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now), "apply");

        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(() => store.UpdateAsync(order.OrderId,
            o => OrderTransitions.Observe(o, Report(i == 3 ? CollectionStatus.Success : CollectionStatus.Processing), Now),
            $"writer {i}")));
        await Task.WhenAll(writers);

        var stored = await store.GetAsync(order.OrderId);
        Assert.Equal(OrderStatus.Succeeded, stored!.Status);
        Assert.Equal(CollectionStatus.Success, stored.ProviderStatus);
        var transitions = (await store.GetAuditAsync(order.OrderId)).Where(e => e.Kind == AuditKind.Transition).ToList();
        Assert.Single(transitions, t => t.ToStatus == OrderStatus.Succeeded);
    }

    [Fact]
    public async Task Transitions_that_change_nothing_write_nothing()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        var accepted = await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now), "apply");

        var after = await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyRefused(o, "9999", "late", Now), "late rejection");

        Assert.Equal(OrderStatus.AwaitingPayment, after!.Status);
        Assert.Equal(accepted!.ETag, after.ETag);
        Assert.Equal(2, (await store.GetAuditAsync(order.OrderId)).Count);
    }

    [Fact]
    public async Task The_audit_trail_keeps_every_entry_in_order_with_its_contents()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        await store.AppendAuditAsync(new AuditEntry { OrderId = order.OrderId, Kind = AuditKind.Apply, Detail = "accepted", OrderNo = "SBX1" });
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now), "apply accepted");
        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = order.OrderId,
            Kind = AuditKind.CallbackReceived,
            RawBody = "{\"orderId\":\"" + order.OrderId + "\",\"status\":2}",
            ContentType = "application/json",
            Verification = "verified",
            Remote = "127.0.0.1",
            ProviderStatus = 2,
        });
        await store.AppendAuditAsync(new AuditEntry { OrderId = order.OrderId, Kind = AuditKind.Query, Reason = "Notified", ProviderStatus = 2 });
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.Observe(o, Report(CollectionStatus.Success), Now), "query (Notified)");
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.Observe(o, Report(CollectionStatus.Failed), Now), "query (Scheduled)");
        await store.AppendAuditAsync(new AuditEntry { OrderId = "another-order", Kind = AuditKind.Expire });

        var audit = await store.GetAuditAsync(order.OrderId);

        Assert.Equal(
            [AuditKind.Transition, AuditKind.Apply, AuditKind.Transition, AuditKind.CallbackReceived, AuditKind.Query,
             AuditKind.Transition, AuditKind.Transition],
            audit.Select(e => e.Kind).ToArray());
        Assert.Equal(audit.Select(e => e.Id).Order(StringComparer.Ordinal), audit.Select(e => e.Id));
        Assert.Equal((null, OrderStatus.Pending, "created"), (audit[0].FromStatus, audit[0].ToStatus, audit[0].Reason));
        Assert.Equal((OrderStatus.Pending, OrderStatus.AwaitingPayment), (audit[2].FromStatus, audit[2].ToStatus));
        Assert.Equal("verified", audit[3].Verification);
        Assert.Equal("application/json", audit[3].ContentType);
        Assert.Contains(order.OrderId, audit[3].RawBody);
        Assert.Equal((OrderStatus.AwaitingPayment, OrderStatus.Succeeded), (audit[5].FromStatus, audit[5].ToStatus));
        Assert.Equal((OrderStatus.Succeeded, OrderStatus.NeedsReview, "query (Scheduled)"), (audit[6].FromStatus, audit[6].ToStatus, audit[6].Reason));
        Assert.Equal(3, audit[6].ProviderStatus);
        Assert.Contains("after success", audit[6].Detail);
    }

    [Fact]
    public async Task Hostile_text_is_stored_sanitised_and_bounded_never_refused_by_table_storage()
    {
        var store = environment.CreateStore();
        var orderId = TestOrders.NewOrderId();
        var huge = new string('x', 40_000);

        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = orderId,
            Kind = AuditKind.CallbackReceived,
            RawBody = "Tai \ud800 Chan " + huge,
            Detail = "lone \udc00 surrogate " + huge,
            ErrorMessage = huge,
            Remote = huge,
        });

        var entry = (await store.GetAuditAsync(orderId)).Single();
        Assert.Equal(StorageText.MaxRawBody, entry.RawBody!.Length);
        Assert.StartsWith("Tai \uFFFD Chan", entry.RawBody);
        Assert.Contains("cut; 40011 characters", entry.RawBody);
        Assert.StartsWith("lone \uFFFD surrogate", entry.Detail);
        Assert.True(entry.Detail!.Length <= StorageText.MaxText);
        Assert.True(entry.ErrorMessage!.Length <= StorageText.MaxText);
        Assert.True(entry.Remote!.Length <= 100);
    }

    [Fact]
    public async Task An_unverified_callback_body_is_kept_to_the_tighter_cap()
    {
        var store = environment.CreateStore();
        var orderId = TestOrders.NewOrderId();

        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = orderId,
            Kind = AuditKind.CallbackReceived,
            RawBody = new string('y', 10_000),
            RawBodyLimit = StorageText.MaxUnverifiedRawBody,
        });

        Assert.Equal(StorageText.MaxUnverifiedRawBody, (await store.GetAuditAsync(orderId)).Single().RawBody!.Length);
    }

    [Fact]
    public async Task The_audit_trail_lives_in_the_orders_own_partition_of_the_orders_table()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var store = environment.CreateStore(ordersTable: "orders" + suffix);
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        await store.UpdateAsync(order.OrderId, o => OrderTransitions.ApplyAccepted(o, "SBX1", "http://pay/1", Now), "apply accepted");

        var rows = new List<string>();
        await foreach (var row in new TableClient(environment.Azurite.ConnectionString, "orders" + suffix)
                           .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {order.OrderId}")))
        {
            rows.Add(row.RowKey);
        }

        Assert.Equal(3, rows.Count);
        Assert.Contains(OrderStore.OrderRowKey, rows);
        Assert.Equal(2, rows.Count(r => r.StartsWith(OrderStore.AuditRowKeyPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_change_and_its_audit_entries_are_written_together_or_not_at_all()
    {
        var store = environment.CreateStore();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);

        // The first attempt's write meets a stale ETag (another writer got in between): its audit entry must not
        // survive alone. The retry writes its own.
        var attempts = 0;
        await store.UpdateAsync(order.OrderId, current =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                store.UpdateAsync(order.OrderId, o => o with { Subject = "changed by writer B" }, "writer B").GetAwaiter().GetResult();
            }
            return OrderTransitions.ApplyAccepted(current, "SBX1", "http://pay/1", Now);
        }, "apply accepted", (_, _) => [new AuditEntry { OrderId = order.OrderId, Kind = AuditKind.Apply, Detail = $"attempt {attempts}" }]);

        var audit = await store.GetAuditAsync(order.OrderId);
        Assert.Equal(2, attempts);
        Assert.Equal(["attempt 2"], audit.Where(e => e.Kind == AuditKind.Apply).Select(e => e.Detail));
        Assert.Single(audit, e => e.Kind == AuditKind.Transition && e.ToStatus == OrderStatus.AwaitingPayment);
    }

    [Fact]
    public async Task A_callback_ledger_saved_from_a_stale_read_is_refused()
    {
        var store = environment.CreateStore();
        var orderId = TestOrders.NewOrderId();
        var fresh = await store.GetCallbackLedgerAsync(orderId);

        Assert.NotNull(await store.TrySaveCallbackLedgerAsync(fresh with { StoredInWindow = 1 }, []));
        Assert.Null(await store.TrySaveCallbackLedgerAsync(fresh with { StoredInWindow = 9 }, []));

        var saved = await store.GetCallbackLedgerAsync(orderId);
        Assert.Equal(1, saved.StoredInWindow);
        var acknowledged = await store.TrySaveCallbackLedgerAsync(saved.Acknowledge("abc"), []);
        Assert.NotNull(acknowledged);
        Assert.Null(await store.TrySaveCallbackLedgerAsync(saved with { StoredInWindow = 5 }, []));
        Assert.True((await store.GetCallbackLedgerAsync(orderId)).HasAcknowledged("abc"));

        // The ledger as saved carries the row's new ETag: the next change needs no read, and it is still conditional.
        var next = await store.TrySaveCallbackLedgerAsync(acknowledged.Acknowledge("def"), []);
        Assert.NotNull(next);
        Assert.Null(await store.TrySaveCallbackLedgerAsync(acknowledged.Acknowledge("ghi"), []));
        Assert.Equal(["abc", "def"], (await store.GetCallbackLedgerAsync(orderId)).AcknowledgedSigns);
        Assert.Equal(next.ETag, (await store.GetCallbackLedgerAsync(orderId)).ETag);
    }
}

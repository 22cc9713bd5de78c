using HaiPay.Client;
using HaiPay.Sandbox.Faults;
using HaiPay.Sandbox.Tests.Support;

namespace HaiPay.Sandbox.Tests;

/// <summary>Each injected fault is classified the way the product must handle it.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;

    public async Task InitializeAsync() => _h = await SandboxHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    /// <summary>
    /// A product client that gives up on an attempt after a second (the hang is longer). The sandbox is warmed up
    /// first, so that the request surely reaches it before the client gives up.
    /// </summary>
    private async Task<ProductClient> ImpatientAsync()
    {
        await _h.Client.ApplyAsync(Currency.USD, Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", "1.00"));
        return new ProductClient(_h.Sandbox, new Dictionary<string, string?> { ["HaiPay:AttemptTimeout"] = "00:00:01" });
    }

    [Fact]
    public async Task A_hanging_apply_is_a_transient_timeout_yet_the_order_is_created()
    {
        await using var impatient = await ImpatientAsync();
        _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Apply, Kind = FaultKind.Timeout, Hang = TimeSpan.FromSeconds(3) });
        var request = Requests.Apply();

        var failure = await Assert.ThrowsAsync<HaiPayTransientException>(() => impatient.Client.ApplyAsync(Currency.HKD, request));

        Assert.Equal(TransientReason.Timeout, failure.Reason);
        await Eventually.Until(() => _h.State.FindOrder(request.OrderId), o => o is not null, "the slow apply to create the order");
        var retry = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.ApplyAsync(Currency.HKD, request));
        Assert.Equal(Wire.SandboxErrorCodes.DuplicateOrderId, retry.Code);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_5xx_is_a_transient_server_error(int statusCode)
    {
        _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Apply, Kind = FaultKind.ServerError, StatusCode = statusCode });
        var request = Requests.Apply();

        var failure = await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.ApplyAsync(Currency.HKD, request));
        var retried = await _h.Client.ApplyAsync(Currency.HKD, request);

        Assert.Equal(TransientReason.ServerError, failure.Reason);
        Assert.Contains(statusCode.ToString(), failure.Message);
        Assert.Equal(request.OrderId, retried.OrderId);
        Assert.Equal(new OrderCounters(2, 1, 0, 0, 0, 0, 0), _h.State.Counters.For(request.OrderId));
    }

    [Fact]
    public async Task Altered_data_is_answered_signed_with_the_fields_set_or_removed()
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);
        _h.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.AlterData, OrderId = request.OrderId, Count = 1,
            Data = new Dictionary<string, string?> { ["status"] = "7", ["payTime"] = "soon", ["currency"] = "USD", ["amount"] = null },
        });

        var odd = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);
        var normal = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);

        Assert.True(odd.SignatureVerified);
        Assert.Equal(("7", (CollectionStatus?)null, "soon", "USD"), (odd.StatusText, odd.Status, odd.Fields["payTime"], odd.Currency));
        Assert.Null(odd.Amount);
        Assert.Equal((CollectionStatus?)CollectionStatus.NotStarted, normal.Status);
        Assert.NotNull(normal.Amount);
    }

    [Theory]
    [InlineData(FaultEndpoint.Apply)]
    [InlineData(FaultEndpoint.Query)]
    public void An_alter_data_fault_needs_query_and_fields(FaultEndpoint endpoint)
    {
        var rule = new FaultRule { Endpoint = endpoint, Kind = FaultKind.AlterData, Data = endpoint == FaultEndpoint.Apply ? new() { ["x"] = "1" } : new() };

        Assert.Contains("data", rule.Validate().Keys);
    }

    [Fact]
    public async Task Malformed_JSON_is_a_transient_malformed_response()
    {
        _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Apply, Kind = FaultKind.MalformedJson });

        var failure = await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.ApplyAsync(Currency.HKD, Requests.Apply()));

        Assert.Equal(TransientReason.MalformedResponse, failure.Reason);
    }

    [Fact]
    public async Task A_bad_data_signature_is_a_transient_invalid_signature()
    {
        _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Apply, Kind = FaultKind.BadSignature });
        var request = Requests.Apply();

        var failure = await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.ApplyAsync(Currency.HKD, request));

        Assert.Equal(TransientReason.InvalidSignature, failure.Reason);
        Assert.NotNull(_h.State.FindOrder(request.OrderId));
    }

    [Fact]
    public async Task A_business_error_code_is_a_rejection_with_that_code()
    {
        _h.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply, Kind = FaultKind.BusinessError, ErrorCode = "5001", Message = "Risk control",
        });
        var request = Requests.Apply();

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.ApplyAsync(Currency.HKD, request));

        Assert.Equal("5001", rejected.Code);
        Assert.Equal("Risk control", rejected.ProviderMessage);
        Assert.Null(_h.State.FindOrder(request.OrderId));
    }

    [Fact]
    public async Task Query_faults_hit_only_queries_for_the_count_given()
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);
        _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Query, Kind = FaultKind.ServerError, Count = 2 });

        var first = await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.QueryAsync(Currency.HKD, request.OrderId));
        var second = await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.QueryAsync(Currency.HKD, request.OrderId));
        var third = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);

        Assert.Equal(TransientReason.ServerError, first.Reason);
        Assert.Equal(TransientReason.ServerError, second.Reason);
        Assert.Equal(CollectionStatus.NotStarted, third.Status);
        Assert.Empty(_h.State.Faults.List());
    }

    [Fact]
    public async Task Query_timeout_bad_signature_malformed_and_business_faults_are_classified()
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);

        await using var impatient = await ImpatientAsync();

        async Task<Exception> QueryWith(FaultKind kind, IHaiPayClient client)
        {
            _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Query, Kind = kind, Hang = TimeSpan.FromSeconds(5) });
            return await Assert.ThrowsAnyAsync<HaiPayException>(() => client.QueryAsync(Currency.HKD, request.OrderId));
        }

        Assert.Equal(TransientReason.Timeout, Assert.IsType<HaiPayTransientException>(await QueryWith(FaultKind.Timeout, impatient.Client)).Reason);
        Assert.Equal(TransientReason.InvalidSignature, Assert.IsType<HaiPayTransientException>(await QueryWith(FaultKind.BadSignature, _h.Client)).Reason);
        Assert.Equal(TransientReason.MalformedResponse, Assert.IsType<HaiPayTransientException>(await QueryWith(FaultKind.MalformedJson, _h.Client)).Reason);
        Assert.Equal("9999", Assert.IsType<HaiPayRejectedException>(await QueryWith(FaultKind.BusinessError, _h.Client)).Code);
    }

    [Fact]
    public async Task A_fault_for_one_orderId_leaves_other_orders_alone_until_removed()
    {
        var target = Requests.Apply();
        var bystander = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, target);
        await _h.Client.ApplyAsync(Currency.HKD, bystander);
        var fault = _h.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Query, Kind = FaultKind.ServerError, OrderId = target.OrderId });

        await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.QueryAsync(Currency.HKD, target.OrderId));
        await Assert.ThrowsAsync<HaiPayTransientException>(() => _h.Client.QueryAsync(Currency.HKD, target.OrderId));
        var other = await _h.Client.QueryAsync(Currency.HKD, bystander.OrderId);
        Assert.True(_h.State.Faults.Remove(fault.Id));
        var healed = await _h.Client.QueryAsync(Currency.HKD, target.OrderId);

        Assert.Equal(CollectionStatus.NotStarted, other.Status);
        Assert.Equal(CollectionStatus.NotStarted, healed.Status);
    }

    [Fact]
    public void Invalid_fault_rules_are_refused()
    {
        Assert.Throws<ArgumentException>(() => _h.State.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, StatusCode = 404 }));
        Assert.Throws<ArgumentException>(() => _h.State.Faults.Add(new FaultRule { Kind = FaultKind.Timeout, Count = 0 }));
        Assert.Throws<ArgumentException>(() => _h.State.Faults.Add(new FaultRule { Kind = FaultKind.BusinessError, ErrorCode = "00000000" }));
        Assert.Empty(_h.State.Faults.List());
    }
}

using System.Collections.Concurrent;
using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using HaiPay;
using HaiPay.Sandbox;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Collect.Core.Tests.Orchestration;

/// <summary>
/// The collection orchestration on the real Durable Task engine (in-process test host), registered through
/// <see cref="CollectionRegistration.AddCollectionTasks"/>, with the activities from <c>AddCollectCore</c> talking to
/// a real <see cref="SandboxApp"/> over loopback HTTP and storing orders in a real Azurite. The sandbox drops every
/// callback unless a test says otherwise: a test that wants the notify path raises the event itself, as the webhook
/// does.
/// </summary>
public sealed class CollectionEngineFixture : IAsyncLifetime
{
    private readonly AzuriteProcess _azurite = new();
    private DurableTaskTestHost? _host;
    private SandboxApp? _sandbox;
    private ILoggerFactory? _loggerFactory;

    public SandboxApp Sandbox => _sandbox ?? throw new InvalidOperationException("Not started.");
    public DurableTaskClient Client => (_host ?? throw new InvalidOperationException("Not started.")).Client;
    public OrderStore Store => _host!.Services.GetRequiredService<OrderStore>();
    public IServiceProvider Services => _host!.Services;

    /// <summary>Messages logged by the worker (orchestrator and activities), by category.</summary>
    public ConcurrentQueue<(string Category, string Message)> Logs { get; } = new();

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _sandbox = await SandboxApp.StartAsync(options =>
            options.DefaultBehaviour = new OrderBehaviour { Callback = new CallbackBehaviour { Drop = true } });

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(_sandbox.ToProductConfiguration())
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OrderStorage"] = _azurite.ConnectionString,
                ["Collect:NotifyUrl"] = "http://127.0.0.1/api/haipay/notify",
            })
            .Build();
        // The test host's own sidecar logs every gRPC call to the console at Information; its configuration comes
        // from the environment.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        _loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddProvider(new CollectingLoggerProvider(Logs)));
        _host = await DurableTaskTestHost.StartAsync(
            registry => registry.AddCollectionTasks(),
            new DurableTaskTestHostOptions
            {
                Port = FreePort.Next(),
                LoggerFactory = _loggerFactory,
                ConfigureServices = services => services.AddCollectCore(configuration),
            });
        await Store.EnsureTablesAsync();
    }

    /// <summary>Stores a new Pending order (as the create handler does) and sets what the sandbox will do with it.</summary>
    public async Task<string> CreateOrderAsync(OrderBehaviour behaviour)
    {
        var orderId = "eng-" + Guid.NewGuid().ToString("N");
        Sandbox.State.SetBehaviour(orderId, behaviour with { Callback = new CallbackBehaviour { Drop = true } });
        var now = DateTimeOffset.UtcNow;
        await Store.CreateAsync(new Order
        {
            OrderId = orderId,
            Currency = Currency.HKD,
            Amount = 100.00m,
            PayType = "EWALLET",
            InBankCode = "ALIPAY_HKD",
            Name = "Tai Man Chan",
            Phone = "91234567",
            Email = "tai.man@example.com",
            PartnerUserId = "user-1",
            CallBackUrl = "https://shop.example/paid",
            CallBackFailUrl = "https://shop.example/failed",
            RequestHash = "hash-" + orderId,
            CreatedAt = now,
            UpdatedAt = now,
        });
        return orderId;
    }

    /// <summary>Starts the orchestration for a stored order with a short schedule (whole seconds: timers are not precise below that).</summary>
    public Task StartAsync(string orderId, int[] backoffSeconds, int deadlineSeconds, int continueAsNewAfterQueries = 20) =>
        Client.ScheduleNewOrchestrationInstanceAsync(
            CollectionTasks.Orchestrator,
            new CollectionInput
            {
                OrderId = orderId,
                Currency = Currency.HKD,
                QueryBackoff = backoffSeconds.Select(s => TimeSpan.FromSeconds(s)).ToList(),
                Deadline = TimeSpan.FromSeconds(deadlineSeconds),
                ContinueAsNewAfterQueries = continueAsNewAfterQueries,
            },
            new StartOrchestrationOptions(orderId));

    /// <summary>Waits for the orchestration to end (a hang guard, not a timing assertion) and returns its metadata.</summary>
    public async Task<OrchestrationMetadata> CompletionAsync(string orderId)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await Client.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true, guard.Token);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (a hang guard of one minute).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            await Task.Delay(50, guard.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
        _loggerFactory?.Dispose();
        await _azurite.DisposeAsync();
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<(string, string)> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CollectingLogger(categoryName, sink);

        public void Dispose()
        {
        }
    }

    private sealed class CollectingLogger(string category, ConcurrentQueue<(string, string)> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => sink.Enqueue((category, formatter(state, exception)));
    }
}

using TestSupport;

namespace Collect.EndToEnd;

/// <summary>
/// The whole product on one machine, every part a real process talking over loopback HTTP: Azurite, the HaiPay sandbox
/// and the product wired to both (in the host <see cref="ProductHost"/> selects; it reads the merchant keys the sandbox
/// writes). Disposing stops all of
/// them, whatever happened.
/// </summary>
public sealed class CollectStack : IAsyncDisposable
{
    private readonly string _folder;
    private readonly List<ProductProcess> _retiredProducts = [];
    private readonly IDisposable _azuriteExitCleanup;

    private CollectStack(string folder, AzuriteProcess azurite, SandboxProcess sandbox, ProductProcess product, string taskHub)
    {
        _folder = folder;
        Azurite = azurite;
        Sandbox = sandbox;
        Product = product;
        TaskHub = taskHub;
        Orders = new OrdersApi(product.BaseUrl);
        Stored = new StoredState(azurite.ConnectionString, taskHub);
        _azuriteExitCleanup = ExitCleanup.Register(() => azurite.DisposeAsync().GetAwaiter().GetResult());
    }

    public AzuriteProcess Azurite { get; }
    public SandboxProcess Sandbox { get; }
    public ProductProcess Product { get; private set; }
    public string TaskHub { get; }
    public OrdersApi Orders { get; private set; }
    public SandboxControl Control => Sandbox.Control;
    public StoredState Stored { get; }

    /// <summary>Starts Azurite, then the sandbox, then the product; on any failure stops what was started.</summary>
    public static async Task<CollectStack> StartAsync(StackSettings settings, CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("collect-stack-").FullName;
        var azurite = new AzuriteProcess();
        SandboxProcess? sandbox = null;
        ProductProcess? product = null;
        try
        {
            await azurite.InitializeAsync();
            sandbox = await SandboxProcess.StartAsync(folder, settings.Sandbox, cancellationToken);
            product = new ProductProcess(ProductSettings(azurite, sandbox, settings.TaskHub, settings.Product));
            await product.StartAsync(cancellationToken);
            return new CollectStack(folder, azurite, sandbox, product, settings.TaskHub);
        }
        catch
        {
            product?.Dispose();
            sandbox?.Dispose();
            await azurite.DisposeAsync();
            DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>
    /// Stops the product gracefully and starts a new one on the same storage, task hub and sandbox with other
    /// settings (e.g. another query schedule). Its port is new: <see cref="Orders"/> follows it.
    /// </summary>
    public async Task ReplaceProductAsync(IReadOnlyDictionary<string, string> productSettings, CancellationToken cancellationToken = default)
    {
        await Product.StopAsync();
        _retiredProducts.Add(Product);
        Orders.Dispose();
        Product = new ProductProcess(ProductSettings(Azurite, Sandbox, TaskHub, productSettings));
        Orders = new OrdersApi(Product.BaseUrl);
        await Product.StartAsync(cancellationToken);
    }

    /// <summary>The product's settings: wired to this Azurite and sandbox, operations on loopback, compact logs, then <paramref name="overrides"/>.</summary>
    private static Dictionary<string, string> ProductSettings(
        AzuriteProcess azurite, SandboxProcess sandbox, string taskHub, IReadOnlyDictionary<string, string> overrides)
    {
        var settings = new Dictionary<string, string>
        {
            ["SettingsFile"] = sandbox.SettingsFile,
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["OrderStorage"] = azurite.ConnectionString,
            ["TaskHubName"] = taskHub,
            ["Ops:Access"] = "Loopback",
            // The runner's engine sidecar on a port of ours too: left to the OS (port 0), it could take the product's
            // own port, handed out but not yet bound.
            ["DurableTask:SidecarPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>A position in every process's output, for <see cref="OutputSince"/>.</summary>
    public StackOutputMark MarkOutput() => new(
        Sandbox.Process.LineCount,
        Product.Runs.ToDictionary(run => run, run => run.LineCount));

    /// <summary>What the sandbox and every product process printed after <paramref name="mark"/>.</summary>
    public string OutputSince(StackOutputMark mark)
    {
        var text = new System.Text.StringBuilder();
        foreach (var run in Product.Runs)
        {
            text.Append(run.OutputSince(mark.Product.GetValueOrDefault(run)));
            if (run.HasExited)
            {
                text.AppendLine($"[{run.Name}] exited with code {run.ExitCode}");
            }
        }
        text.Append(Sandbox.Process.OutputSince(mark.Sandbox));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Orders.Dispose();
            Product.Dispose();
            foreach (var retired in _retiredProducts)
            {
                retired.Dispose();
            }
            Sandbox.Dispose();
        }
        finally
        {
            _azuriteExitCleanup.Dispose();
            await Azurite.DisposeAsync();
            DeleteFolder(_folder);
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>How to configure one stack: sandbox and product settings (configuration keys) and the task hub name.</summary>
public sealed record StackSettings
{
    public string TaskHub { get; init; } = "collecte2e";
    public IReadOnlyDictionary<string, string> Sandbox { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Product { get; init; } = new Dictionary<string, string>();
}

/// <summary>Where every process's output stood at some moment.</summary>
public sealed record StackOutputMark(long Sandbox, IReadOnlyDictionary<ChildProcess, long> Product);

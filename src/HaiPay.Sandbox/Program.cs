using HaiPay.Sandbox;

// dotnet run --project src/HaiPay.Sandbox -- --urls http://127.0.0.1:5180 [--write-settings <path>]
await SandboxHost.Build(args).RunAsync();

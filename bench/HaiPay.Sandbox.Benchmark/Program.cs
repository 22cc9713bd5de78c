using HaiPay.Sandbox.Benchmark;

// dotnet run -c Release --project bench/HaiPay.Sandbox.Benchmark -- [--requests 5000] [--concurrency 32] [--warmup 200]
return await ApplyBenchmark.RunAsync(BenchmarkSettings.Parse(args), Console.Out);

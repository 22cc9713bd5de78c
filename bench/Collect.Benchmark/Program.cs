using Collect.Benchmark;

// dotnet run -c Release --project bench/Collect.Benchmark -- [--orders 200] [--concurrency 20] [--silent-orders 20]
//   [--compression 60] [--pay-after 0.5] [--warmup 10] [--idle 90] [--capacity default|2,4,6] [--capacity-step 30]
return await CollectBenchmark.RunAsync(BenchmarkSettings.Parse(args), Console.Out);

using Collect.Core.Collection;
using Microsoft.DurableTask;

namespace Collect.Core.Tests.Orchestration;

public sealed class CollectionRegistrationTests
{
    [Fact]
    public void Registers_exactly_the_orchestrators_and_activities_of_the_registration_list()
    {
        var registry = new DurableTaskRegistry().AddCollectionTasks();

        Assert.Equal(
            CollectionTasks.Orchestrators.Order(),
            registry.GetOrchestrators().Select(o => o.Key.Name).Order());
        Assert.Equal(
            CollectionTasks.Activities.Order(),
            registry.GetActivities().Select(a => a.Key.Name).Order());
    }
}

// Durable Task Scheduler: the managed, high-throughput backend for the durable task hub (instead of Azure Storage
// queues and tables). One scheduler and one task hub per environment; the app's identity gets the data role on the
// task hub only. The Durable Task Scheduler dashboard (https://dashboard.durabletask.io) uses the same RBAC.

@description('Azure region of the scheduler.')
param location string

@description('Scheduler name.')
param name string

@description('Task hub name (the same name the app uses as TaskHubName).')
param taskHubName string

@description('Consumption (pay per action, up to about 500 actions/s) or Dedicated (capacity units of about 2,000 actions/s each).')
@allowed([
  'Consumption'
  'Dedicated'
])
param skuName string

@description('Capacity units for Dedicated (1–3); ignored for Consumption.')
@minValue(1)
@maxValue(3)
param capacity int

@description('Name of the function app\'s user-assigned identity.')
param identityName string

@description('Object ids of operators who may read the scheduler dashboard (Durable Task Data Reader).')
param readerPrincipalIds string[]

param tags object

// Built-in role definition ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'
var durableTaskDataReader = 'd6a5505f-6ebb-45a4-896e-ac8274cfc0ac'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Reached over the public endpoint with Entra ID tokens only; narrow it when the app has fixed egress addresses.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
    sku: skuName == 'Dedicated'
      ? {
          name: 'Dedicated'
          capacity: capacity
        }
      : {
          name: 'Consumption'
        }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
  properties: {}
}

resource appDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, identity.id, durableTaskDataContributor)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource dashboardReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for reader in readerPrincipalIds: {
    name: guid(taskHub.id, reader, durableTaskDataReader)
    scope: taskHub
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataReader)
      principalId: reader
    }
  }
]

@description('Scheduler endpoint (https://…durabletask.io) for the app\'s connection string.')
output endpoint string = scheduler.properties.endpoint

output name string = scheduler.name

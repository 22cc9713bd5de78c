// A shared Azure Monitor workbook for operations: orders per status, time to final, HaiPay health and storefront
// deliveries. It is listed under the Application Insights component's Workbooks and queries the Log Analytics
// workspace (custom metrics in AppMetrics); the queries are infra/queries/workbook-*.kql, documented in
// docs/monitoring.md.

@description('Azure region of the workbook resource.')
param location string

@description('Resource name: a workbook\'s name must be a GUID, stable per environment.')
param name string

@description('Name shown in the portal.')
param displayName string

@description('Log Analytics workspace every panel queries.')
param logAnalyticsId string

@description('Application Insights component the workbook belongs to (where the portal lists it).')
param applicationInsightsId string

param tags object

var timeRangeParameter = 'TimeRange'

var hour = 3600000

// The panels, in order; each is one query against the workspace over the workbook's time range (width in percent).
var panels = [
  {
    name: 'orders-by-status'
    title: 'Orders ended, by status'
    query: loadTextContent('../queries/workbook-orders-by-status.kql')
    visualization: 'timechart'
    width: '50'
  }
  {
    name: 'orders-by-status-and-currency'
    title: 'Orders created and ended, by status and currency'
    query: loadTextContent('../queries/workbook-orders-by-status-and-currency.kql')
    visualization: 'table'
    width: '50'
  }
  {
    name: 'time-to-final'
    title: 'Time from create to final status (seconds; percentiles of the exporter\'s per-interval means)'
    query: loadTextContent('../queries/workbook-time-to-final.kql')
    visualization: 'table'
    width: '100'
  }
  {
    name: 'haipay-calls'
    title: 'HaiPay calls, by endpoint and outcome'
    query: loadTextContent('../queries/workbook-haipay-calls.kql')
    visualization: 'timechart'
    width: '50'
  }
  {
    name: 'haipay-latency'
    title: 'HaiPay call latency (seconds), by endpoint and outcome'
    query: loadTextContent('../queries/workbook-haipay-latency.kql')
    visualization: 'table'
    width: '50'
  }
  {
    name: 'deliveries'
    title: 'Storefront delivery attempts, by outcome'
    query: loadTextContent('../queries/workbook-deliveries.kql')
    visualization: 'timechart'
    width: '100'
  }
]

var content = {
  version: 'Notebook/1.0'
  items: concat([
    {
      type: 1
      name: 'introduction'
      content: {
        json: '## Collect operations\nOrders, HaiPay and storefront deliveries from the product\'s own metrics (meter `Collect.Core`, table `AppMetrics`). The alert rules and the first response to each are in README "Operating it"; the queries are in docs/monitoring.md.'
      }
    }
    {
      type: 9
      name: 'parameters'
      content: {
        version: 'KqlParameterItem/1.0'
        style: 'pills'
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        parameters: [
          {
            id: 'time-range'
            version: 'KqlParameterItem/1.0'
            name: timeRangeParameter
            label: 'Time range'
            type: 4
            isRequired: true
            value: {
              durationMs: 24 * hour
            }
            typeSettings: {
              allowCustom: true
              selectableValues: [
                { durationMs: hour }
                { durationMs: 4 * hour }
                { durationMs: 24 * hour }
                { durationMs: 72 * hour }
                { durationMs: 168 * hour }
              ]
            }
          }
        ]
      }
    }
  ], map(panels, panel => {
    type: 3
    name: panel.name
    customWidth: panel.width
    content: {
      version: 'KqlItem/1.0'
      title: panel.title
      query: panel.query
      size: 0
      queryType: 0
      resourceType: 'microsoft.operationalinsights/workspaces'
      crossComponentResources: [
        logAnalyticsId
      ]
      timeContextFromParameter: timeRangeParameter
      timeContext: {
        durationMs: 24 * hour
      }
      visualization: panel.visualization
    }
  }))
  isLocked: false
  fallbackResourceIds: [
    logAnalyticsId
  ]
  '$schema': 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json'
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    version: 'Notebook/1.0'
    serializedData: string(content)
  }
}

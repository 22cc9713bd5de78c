// Azure Monitor alerts for on-call: an action group that e-mails one address, and six log search alert rules on
// the Log Analytics workspace behind Application Insights. The queries live in infra/queries/*.kql (the same text
// docs/monitoring.md documents); they read the product's custom metrics (table AppMetrics, tags in Properties)
// and the orchestrator invocations (AppRequests). Each rule says in its description what to do first.

@description('Azure region of the rules (the workspace\'s region).')
param location string

@description('Prefix of the rule and action group names, e.g. alert-collect-prod.')
param namePrefix string

@description('Short name of the action group (at most 12 characters; shown in e-mails and SMS).')
@maxLength(12)
param actionGroupShortName string

@description('E-mail address (a person or a distribution list) that receives every alert.')
param alertEmail string

@description('Log Analytics workspace the rules query.')
param logAnalyticsId string

@description('Callbacks failing verification in 15 minutes above which the callback alert fires.')
@minValue(1)
param callbackFailureThreshold int

@description('Percentage of HaiPay calls ending in a transient error (15 minutes, at least 10 calls) above which the HaiPay alert fires.')
@minValue(1)
@maxValue(100)
param haiPayTransientPercentThreshold int

param tags object

// Operations routes named in the descriptions (README "Operations").
var console = 'operations console (https://<app host>/api/ops)'

type alertRule = {
  @description('Suffix of the rule\'s resource name.')
  name: string
  displayName: string
  description: string
  @description('0 critical, 1 error, 2 warning, 3 informational.')
  severity: int
  query: string
  @description('The query\'s one numeric column, compared with the threshold.')
  measure: string
  timeAggregation: 'Total' | 'Maximum'
  threshold: int
  evaluationFrequency: string
  windowSize: string
}

var rules alertRule[] = [
  {
    name: 'needs-review'
    displayName: 'Collect: an order needs review'
    description: 'An order entered NeedsReview in the last 15 minutes (HaiPay reported a partial or over-collection, other money, an unknown status, or a final status contradicting an earlier one). First response: in the ${console} open Needs review (GET /api/ops/orders?status=NeedsReview), read the order\'s timeline (GET /api/ops/orders/{orderId}) and what HaiPay said in its audit trail, check the payment in HaiPay\'s merchant back office, then resolve it (POST /api/ops/orders/{orderId}/resolve with outcome Succeeded or Failed and a note).'
    severity: 2
    query: loadTextContent('../queries/alert-needs-review.kql')
    measure: 'Orders'
    timeAggregation: 'Total'
    threshold: 0
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
  }
  {
    name: 'overdue'
    displayName: 'Collect: orders not final past deadline'
    description: 'The reconciliation sweep found orders still not final after their deadline plus the sweep grace (collect.sweep.overdue); their orchestration is stuck, failed or missing. First response: in the ${console} open Not final past deadline (GET /api/ops/orders?status=overdue), read each timeline (GET /api/ops/orders/{orderId}) for the orchestration state and the last HaiPay query, ask HaiPay now (POST /api/ops/orders/{orderId}/requery), and restart a failed or missing orchestration (POST /api/ops/orders/{orderId}/restart). Also look for the failed-orchestrations and HaiPay alerts, which usually come first.'
    severity: 2
    query: loadTextContent('../queries/alert-overdue.kql')
    measure: 'Orders'
    timeAggregation: 'Total'
    threshold: 0
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
  }
  {
    name: 'failed-orchestrations'
    displayName: 'Collect: orchestration instances failed'
    description: 'A CollectionOrchestrator or EventDeliveryOrchestrator invocation failed (AppRequests with Success false) in the last 15 minutes: a code or configuration fault, not a HaiPay answer. First response: find the exception in Application Insights (Failures, or AppExceptions by the failed request\'s OperationId); the instance id is the orderId, so open GET /api/ops/orders/{orderId} in the ${console}. The sweep restarts a failed collection orchestration up to 5 times; once the cause is fixed, restart any order still waiting (POST /api/ops/orders/{orderId}/restart) and redeliver failed storefront events (POST /api/ops/events/redeliver).'
    severity: 1
    query: loadTextContent('../queries/alert-failed-orchestrations.kql')
    measure: 'Failures'
    timeAggregation: 'Total'
    threshold: 0
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
  }
  {
    name: 'callback-verification-failures'
    displayName: 'Collect: callbacks failing verification'
    description: 'More than ${callbackFailureThreshold} HaiPay callbacks in 15 minutes did not verify (collect.callbacks.verifications result rejected, unknown_order or malformed). Orders are not at risk (only HaiPay\'s query decides a status), but either the keys no longer match HaiPay\'s (after a key roll: check haipay-platform-public-key in Key Vault and the merchant public key registered with HaiPay) or someone is posting to /api/haipay/notify. First response: in the ${console} read the audit trail of an affected order (GET /api/ops/orders/{orderId}: callbacks as received, with verification result and sender); callbacks naming no order of this product are in the orders table partition (callbacks without an order of this product).'
    severity: 2
    query: loadTextContent('../queries/alert-callback-verification-failures.kql')
    measure: 'Failures'
    timeAggregation: 'Total'
    threshold: callbackFailureThreshold
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
  }
  {
    name: 'haipay-transient-errors'
    displayName: 'Collect: HaiPay transient errors'
    description: 'More than ${haiPayTransientPercentThreshold}% of at least 10 HaiPay calls in 15 minutes ended in a transient error (timeout, 5xx, connection failure; collect.haipay.calls outcome transient). Applies are retried for about 3 minutes, then the order expires; the sweep\'s re-queries still settle it later. First response: check HaiPay\'s status with their support and the workbook\'s HaiPay health panel (which endpoint, what latency); check the app\'s outbound access (AppDependencies to HaiPay). When HaiPay is back, list Not final past deadline (GET /api/ops/orders?status=overdue) in the ${console} and ask HaiPay again about what is left (POST /api/ops/orders/{orderId}/requery).'
    severity: 1
    query: loadTextContent('../queries/alert-haipay-transient-rate.kql')
    measure: 'TransientPercent'
    timeAggregation: 'Maximum'
    threshold: haiPayTransientPercentThreshold
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
  }
  {
    name: 'deliveries-failing'
    displayName: 'Collect: storefront deliveries failing for an hour'
    description: 'Storefront event deliveries failed or were abandoned during the last hour and none was delivered (collect.events.deliveries): the storefront\'s webhook is down, refuses the signature, or the URL is wrong. Payments are not affected; the storefront does not learn about them. First response: check the storefront\'s webhook (Events__WebhookUrl) and its signing secret (Key Vault storefront-webhook-secret); in the ${console} open Undelivered events (GET /api/ops/events/undelivered); once the storefront answers again, redeliver them all (POST /api/ops/events/redeliver).'
    severity: 2
    query: loadTextContent('../queries/alert-deliveries-failing.kql')
    measure: 'Failing'
    timeAggregation: 'Total'
    threshold: 0
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: actionGroupShortName
    enabled: true
    emailReceivers: [
      {
        name: 'on-call'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        logAnalyticsId
      ]
      evaluationFrequency: rule.evaluationFrequency
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.timeAggregation
            metricMeasureColumn: rule.measure
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      // Resolved (and an e-mail sent) once the condition no longer holds.
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

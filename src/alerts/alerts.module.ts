import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { BrokerModule } from '#src/broker/broker.module.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { ActiveAlerts } from './active-alerts.js';
import { AlertChangeOutbox } from './alert-change.outbox.js';
import { AlertLifecycleService } from './alert-lifecycle.service.js';
import { AlertWriter } from './alert-writer.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';
import { AlertNotifier } from './notifiers/alert-notifier.js';
import { MqttAlertPublisher } from './notifiers/mqtt-alert.publisher.js';
import { WebhookNotifier } from './notifiers/webhook.notifier.js';
import { ShipmentEndAlertsService } from './shipment-end-alerts.service.js';
import { WebhookDeliveriesController } from './webhook-deliveries.controller.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { AlertBrokerConfig, AlertWebhookConfig } from './alerts.config.js';

/** Alerts: lifecycle driven by rule events and shipment ends, store, REST, and the MQTT/InfluxDB/webhook channels. */
@Module({
  imports: [BrokerModule, FleetModule, ShipmentsModule],
  controllers: [AlertsController, WebhookDeliveriesController],
  providers: [
    configSliceProvider(AlertWebhookConfig),
    configSliceProvider(AlertBrokerConfig),
    AlertsRepository,
    ActiveAlerts,
    AlertChangeOutbox,
    AlertWriter,
    AlertLifecycleService,
    AlertsService,
    AlertNotifier,
    MqttAlertPublisher,
    WebhookDeliveriesRepository,
    WebhookNotifier,
    ShipmentEndAlertsService,
  ],
  exports: [AlertLifecycleService, AlertsService, AlertWriter],
})
export class AlertsModule {}

#ifndef TELEMETRYD_CMOSQUITTO_SHIM_H
#define TELEMETRYD_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif

import CMosquitto
let mosquittoVersionProbe = mosquitto_lib_version(nil, nil, nil)

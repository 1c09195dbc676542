"""What the Lightsail operations the emulator offers take. Bad input is an
``InvalidInputException``."""

from __future__ import annotations

from computetui.backends.rules.validation import Dialect, Integer, ListOf, Request, String, Structure, Timestamp

INVALID_INPUT = Dialect("InvalidInputException")

# Lightsail's resource names: letters, digits, dots, dashes and underscores, starting with a
# letter or digit, at most 255 characters.
NAME = String(min=1, max=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TAGS = ListOf(Structure({"key": String(min=1, max=128), "value": String(max=256)}, required=("key",)), max=50)

INSTANCE = Request("GetInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
DELETE = Request("DeleteInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
START = Request("StartInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
STOP = Request("StopInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
REBOOT = Request("RebootInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
CREATE = Request(
    "CreateInstances",
    INVALID_INPUT,
    {
        "instance_names": ListOf(NAME, min=1, max=20),
        "availability_zone": String(min=1),
        "blueprint_id": String(min=1),
        "bundle_id": String(min=1),
        "user_data": String(max=16384, sensitive=True),
        "key_pair_name": String(min=1),
        "tags": TAGS,
    },
    required=("instance_names", "availability_zone", "blueprint_id", "bundle_id"),
)

# -- ports (botocore's PortInfo: ports 0-65535, -1 for ICMP's type and code) ---------------------
PORT_INFO = Structure(
    {
        "fromPort": Integer(min=-1, max=65535),
        "toPort": Integer(min=-1, max=65535),
        "protocol": String(enum=("tcp", "all", "udp", "icmp", "icmpv6")),
        "cidrs": ListOf(String(min=1)),
        "ipv6Cidrs": ListOf(String(min=1)),
        "cidrListAliases": ListOf(String(min=1)),
    },
    required=("fromPort", "toPort", "protocol"),
)
_INSTANCE_NAME = {"instance_name": String(min=1)}
PORT_STATES = Request("GetInstancePortStates", INVALID_INPUT, _INSTANCE_NAME, required=("instance_name",))
OPEN_PORTS = Request("OpenInstancePublicPorts", INVALID_INPUT, {**_INSTANCE_NAME, "port_info": PORT_INFO},
                     required=("instance_name", "port_info"))
CLOSE_PORTS = Request("CloseInstancePublicPorts", INVALID_INPUT, {**_INSTANCE_NAME, "port_info": PORT_INFO},
                      required=("instance_name", "port_info"))
PUT_PORTS = Request("PutInstancePublicPorts", INVALID_INPUT,
                    {**_INSTANCE_NAME, "port_infos": ListOf(PORT_INFO)}, required=("instance_name", "port_infos"))

# -- static IPs ----------------------------------------------------------------------------------
_STATIC_IP = {"static_ip_name": NAME}
ALLOCATE_STATIC_IP = Request("AllocateStaticIp", INVALID_INPUT, _STATIC_IP, required=("static_ip_name",))
ATTACH_STATIC_IP = Request("AttachStaticIp", INVALID_INPUT, {**_STATIC_IP, **_INSTANCE_NAME},
                           required=("static_ip_name", "instance_name"))
DETACH_STATIC_IP = Request("DetachStaticIp", INVALID_INPUT, _STATIC_IP, required=("static_ip_name",))
RELEASE_STATIC_IP = Request("ReleaseStaticIp", INVALID_INPUT, _STATIC_IP, required=("static_ip_name",))
STATIC_IP = Request("GetStaticIp", INVALID_INPUT, _STATIC_IP, required=("static_ip_name",))

# -- snapshots -----------------------------------------------------------------------------------
_SNAPSHOT = {"instance_snapshot_name": NAME}
CREATE_SNAPSHOT = Request("CreateInstanceSnapshot", INVALID_INPUT, {**_SNAPSHOT, **_INSTANCE_NAME, "tags": TAGS},
                          required=("instance_snapshot_name", "instance_name"))
SNAPSHOT = Request("GetInstanceSnapshot", INVALID_INPUT, _SNAPSHOT, required=("instance_snapshot_name",))
DELETE_SNAPSHOT = Request("DeleteInstanceSnapshot", INVALID_INPUT, _SNAPSHOT, required=("instance_snapshot_name",))
CREATE_FROM_SNAPSHOT = Request(
    "CreateInstancesFromSnapshot",
    INVALID_INPUT,
    {
        "instance_names": ListOf(NAME, min=1, max=20),
        "availability_zone": String(min=1),
        "bundle_id": String(min=1),
        "instance_snapshot_name": String(min=1),
        "user_data": String(max=16384, sensitive=True),
        "key_pair_name": String(min=1),
        "tags": TAGS,
    },
    required=("instance_names", "availability_zone", "bundle_id", "instance_snapshot_name"),
)

# -- metrics -------------------------------------------------------------------------------------
INSTANCE_METRICS = ("CPUUtilization", "NetworkIn", "NetworkOut", "StatusCheckFailed", "StatusCheckFailed_Instance",
                    "StatusCheckFailed_System")
STATISTICS = ("Minimum", "Maximum", "Sum", "Average", "SampleCount")
METRIC_DATA = Request(
    "GetInstanceMetricData",
    INVALID_INPUT,
    {
        **_INSTANCE_NAME,
        "metric_name": String(enum=INSTANCE_METRICS),
        "period": Integer(min=60, max=86400),
        "start_time": Timestamp(),
        "end_time": Timestamp(),
        "unit": String(enum=("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
                             "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
                             "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
                             "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
                             "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None")),
        "statistics": ListOf(String(enum=STATISTICS), min=1),
    },
    required=("instance_name", "metric_name", "period", "start_time", "end_time", "unit", "statistics"),
)

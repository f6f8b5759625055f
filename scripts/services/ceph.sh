#!/usr/bin/env bash
# Throwaway single-node Ceph (1 monitor, 1 in-memory OSD, radosgw) on 127.0.0.1: an S3 store that enforces
# Object Lock, for integration tests. scripts/services/ceph.sh start|stop|stop-rgw|start-rgw
# Access key / secret: $S3_ACCESS_KEY / $S3_SECRET_KEY (default ciaccess / cisecret).
set -euo pipefail
D=${SERVICES_DIR:-/tmp/justice-services}/ceph
RGW_PORT=${RGW_PORT:-57480}
# Monitor ports, configurable so that two clusters (two checkouts) can run side by side.
MON_V2_PORT=${CEPH_MON_V2_PORT:-3300}
MON_V1_PORT=${CEPH_MON_V1_PORT:-6789}
ACCESS_KEY=${S3_ACCESS_KEY:-ciaccess}
SECRET_KEY=${S3_SECRET_KEY:-cisecret}
command -v radosgw >/dev/null || { echo "Ceph radosgw is not installed: run scripts/services/install.sh" >&2; exit 1; }
stop() {
  for f in "$D"/run/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 1; rm -rf "$D"
}
case "${1:-start}" in
start)
  if curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/"; then echo "radosgw already running on 127.0.0.1:$RGW_PORT"; exit 0; fi
  stop
  mkdir -p "$D"/{mon,osd0,run,log,rgw}
  FSID=$(python3 -c 'import uuid; print(uuid.uuid4())')
  cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
keyring = $D/keyring
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = ${CEPH_MEMSTORE_BYTES:-4294967296}
[mon.a]
mon data = $D/mon
[osd.0]
osd data = $D/osd0
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
# radosgw forces ms_mon_client_mode=secure, which auth=none cannot satisfy: without this it hangs 300 s.
ms mon client mode = crc secure
rgw data = $D/rgw
# Free the data of deleted objects within minutes rather than hours (defaults 2 h and 1 h): the OSD keeps it in
# memory, so repeated large runs (benchmarks/transmission.py) would fill the memstore otherwise.
rgw gc obj min wait = 60
rgw gc processor period = 60
CONF
  C=(-c "$D/ceph.conf")
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
  ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring"
  ceph-mon "${C[@]}" -i a
  OSD_UUID=$(python3 -c 'import uuid; print(uuid.uuid4())')
  OSD_ID=$(ceph "${C[@]}" osd new "$OSD_UUID")
  ceph-osd "${C[@]}" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" 2>>"$D/log/mkfs.log"
  ceph-osd "${C[@]}" -i "$OSD_ID"
  for _ in $(seq 120); do ceph "${C[@]}" osd stat 2>/dev/null | grep -q "1 up" && break; sleep 0.5; done
  radosgw "${C[@]}" -n client.rgw.a
  for _ in $(seq 240); do curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" && break; sleep 0.5; done
  radosgw-admin "${C[@]}" user create --uid=ci --display-name=ci --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null
  echo "radosgw ready on http://127.0.0.1:$RGW_PORT"
  ;;
stop) stop ;;
# Fault injection: stop (SIGKILL, like a crash) and restart radosgw alone, monitor and OSD keep running.
stop-rgw)
  if [ -f "$D/run/client.rgw.a.pid" ]; then kill -9 "$(cat "$D/run/client.rgw.a.pid")" 2>/dev/null || true; fi
  for _ in $(seq 40); do curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" || break; sleep 0.25; done
  rm -f "$D/run/client.rgw.a.pid"
  ;;
start-rgw)
  curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" && exit 0
  radosgw -c "$D/ceph.conf" -n client.rgw.a
  for _ in $(seq 240); do curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" && break; sleep 0.5; done
  curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" || { echo "radosgw did not come back" >&2; exit 1; }
  ;;
*) echo "usage: $0 start|stop|stop-rgw|start-rgw" >&2; exit 2 ;;
esac

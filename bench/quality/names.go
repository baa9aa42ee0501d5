package main

// Person and address detectors: the share of system-log lines they touch.
// System logs hold no names or street addresses, but they are full of what
// a name detector mistakes for one: capitalized words at sentence starts,
// CamelCase class and tag names, dotted package names, ALL-CAPS constants,
// Windows component names, paths and user names of services.

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/detectors"
)

var (
	namesSeed  = flag.Uint64("names-seed", 11, "seed of the generated system logs for the person/address precision check")
	namesLines = flag.Int("names-lines", 15000, "lines of each generated system-log kind for the person/address check")
)

// nameLogKinds are the kinds of lines a nameLogGen writes.
var nameLogKinds = []string{"logcat", "hdfs", "kernel", "sshd", "java-stack", "windows-cbs"}

// evalNamesLogs reports the lines of generated system logs, bench/gen's
// lines and the golden sample logs in which person or address fire.
func evalNamesLogs(s *detectors.Scanner, root string, verbose bool) error {
	fmt.Println("person/address on system logs (every line touched is a false positive):")
	var sources []logSource
	g := &nameLogGen{r: rand.New(rand.NewPCG(*namesSeed, 0x5eed))}
	for _, k := range nameLogKinds {
		lines := make([][]byte, *namesLines)
		for i := range lines {
			lines[i] = g.line(k)
		}
		sources = append(sources, logSource{"generated " + k, lines})
	}
	ng := newSysLogGen(*namesSeed + 1)
	for _, k := range sysLogKinds {
		lines := make([][]byte, *namesLines/3)
		for i := range lines {
			lines[i] = ng.line(k)
		}
		sources = append(sources, logSource{"generated numeric " + k, lines})
	}
	gg := gen.New(*namesSeed + 4)
	sources = append(sources, logSource{"bench/gen text (system lines)", sysOnly(gg.Lines(*namesLines, gen.Only(gen.Text)))})
	golden, err := goldenSources(root, "*.log")
	if err != nil {
		return err
	}
	sources = append(sources, golden...)
	total, touched := 0, 0
	var dst []detectors.Finding
	for _, src := range sources {
		hit := 0
		var examples []string
		for _, l := range src.lines {
			dst, err = s.Scan(dst[:0], l)
			if err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			fired := false
			for _, f := range dst {
				if f.Type != detectors.Person && f.Type != detectors.Address {
					continue
				}
				fired = true
				if len(examples) < 5 || verbose {
					examples = append(examples, fmt.Sprintf("%s %q in %q", f.Type, l[f.Start:f.End], l))
				}
			}
			if fired {
				hit++
			}
		}
		total += len(src.lines)
		touched += hit
		fmt.Printf("  %-36s %7d lines  %5d touched (%s)\n", src.name, len(src.lines), hit, ratio(hit, len(src.lines)))
		for _, e := range examples {
			fmt.Println("    " + e)
		}
	}
	fmt.Printf("  total: %d of %d lines touched (%.4f%%)\n", touched, total, 100*float64(touched)/float64(max(total, 1)))
	return nil
}

// sysOnly drops bench/gen's application lines that carry seeded personal
// data on purpose ("customer ... ordered"); the rest are system lines.
func sysOnly(lines [][]byte) [][]byte {
	var out [][]byte
	for _, l := range lines {
		if bytes.Contains(l, []byte("@")) || bytes.Contains(l, []byte("user=")) || bytes.Contains(l, []byte("customer")) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// A nameLogGen writes system-log lines rich in words: the vocabulary below
// is taken from the message formats of Android, Hadoop, Linux, OpenSSH,
// the JVM and Windows servicing.
type nameLogGen struct {
	r   *rand.Rand
	buf []byte
}

func (g *nameLogGen) s(v string)       { g.buf = append(g.buf, v...) }
func (g *nameLogGen) n(lo, hi int)     { g.buf = strconv.AppendInt(g.buf, int64(lo+g.r.IntN(hi-lo+1)), 10) }
func (g *nameLogGen) pick(l ...string) { g.s(l[g.r.IntN(len(l))]) }

var (
	logcatTags = []string{"ActivityManager", "WindowManager", "PackageManager", "InputDispatcher", "SurfaceFlinger", "AudioFlinger",
		"ConnectivityService", "WifiStateMachine", "BluetoothAdapter", "PowerManagerService", "Zygote", "dalvikvm", "art", "chatty",
		"NotificationService", "JobScheduler", "SyncManager", "AccountManagerService", "GCoreUlr", "Finsky", "GmsClient",
		"CameraService", "MediaCodec", "OMXClient", "Choreographer", "OpenGLRenderer", "RenderThread", "ViewRootImpl", "System.err",
		"AndroidRuntime", "StrictMode", "DownloadManager", "LocationManagerService", "Telephony", "RILJ", "KeyguardUpdateMonitor"}
	logcatMsgs = []string{
		"Displayed com.android.settings/.Settings: +%dms", "Start proc %d:com.google.android.gms/u0a%d for service",
		"Skipped %d frames!  The application may be doing too much work on its main thread.",
		"Waiting for service AtCmdFwd...", "Background concurrent copying GC freed %d(%dKB) AllocSpace objects",
		"Explicit concurrent mark sweep GC freed %d(%dKB)", "FATAL EXCEPTION: main", "Process: com.example.app, PID: %d",
		"java.lang.IllegalStateException: Fragment MainFragment not attached to Activity",
		"Davey! duration=%dms; Flags=0, IntendedVsync=%d, Vsync=%d", "Access denied finding property \"ro.vendor.camera.res\"",
		"Force stopping com.example.app appid=%d user=0: from pid %d", "Killing %d:com.android.chrome/u0a%d (adj 900): empty #17",
		"Setting wallpaper dimension to Point(1080, 2340)", "Unable to start service Intent { act=com.google.android.gms.INIT }",
		"Wakelock acquired by AlarmManager for %dms", "Battery level changed to %d%%, Charging via USB",
		"Screen state changed: ON, Proximity sensor Near", "Connected to Wi-Fi network Guest Lounge, RSSI -%d",
		"Bluetooth device Galaxy Buds Pro connected", "Installed package Google Play Services version %d",
		"Update available for Chrome Beta", "Sync finished for Google Calendar account", "Alarm set for Monday at %d:00",
	}
	hdfsMsgs = []string{
		"BLOCK* NameSystem.allocateBlock: /user/hive/warehouse/part-%d. blk_%d", "Receiving block blk_%d src: /10.0.0.%d:%d",
		"PacketResponder %d for block blk_%d terminating", "Served block blk_%d to /10.0.0.%d",
		"Verification succeeded for blk_%d", "Deleting block blk_%d file /data/hadoop/dfs/data/current/finalized/subdir%d",
		"Starting DataNode with maxLockedMemory = %d", "Block report queue is full", "Roll Edit Log from 10.0.0.%d",
		"Number of transactions: %d Total time for transactions(ms): %d", "Safe mode is OFF", "STARTUP_MSG: Starting NameNode",
		"STARTUP_MSG:   host = namenode-%d.example.internal/10.0.0.%d", "Registered FSDatasetState MBean",
		"Balancing bandwith is %d bytes/s", "Decommission complete for node 10.0.0.%d:%d", "Exception in receiveBlock for block blk_%d java.io.IOException: Connection reset by peer",
		"Slow BlockReceiver write packet to mirror took %dms (threshold=300ms)", "Checkpoint done. New Image Size: %d",
		"Edit log tailer interrupted", "Triggering log roll on remote NameNode", "Rescanning after %d milliseconds",
	}
	kernelMsgs = []string{
		"usb %d-%d: new high-speed USB device number %d using xhci_hcd", "usb %d-%d: Product: DataTraveler 3.0",
		"usb %d-%d: Manufacturer: Kingston", "sd %d:0:0:0: [sdb] Attached SCSI removable disk",
		"EXT4-fs (sda%d): mounted filesystem with ordered data mode. Opts: (null)", "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
		"e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx", "Out of memory: Killed process %d (java)",
		"CPU%d: Core temperature above threshold, cpu clock throttled", "ACPI: Power Button [PWRF]", "Bluetooth: hci0: RTL: firmware version 0x%d",
		"audit: type=1400 apparmor=\"DENIED\" operation=\"open\" profile=\"snap.firefox.firefox\"", "nouveau 0000:01:00.0: DRM: Pointer to TMDS table not found",
		"Memory: %dK/%dK available (%dK kernel code)", "Freeing unused kernel image (initmem) memory: %dK", "Run /sbin/init as init process",
		"systemd[1]: Started Journal Service.", "systemd[1]: Mounted Huge Pages File System.", "systemd[1]: Reached target Local File Systems.",
		"input: Logitech USB Receiver as /devices/pci0000:00/0000:00:14.0/usb%d/input/input%d", "hid-generic 0003:046D:C52B.%d: input,hidraw%d: USB HID v1.11 Keyboard [Logitech USB Receiver]",
		"perf: interrupt took too long (%d > %d), lowering kernel.perf_event_max_sample_rate", "Adding %dk swap on /dev/zram0",
		"thermal thermal_zone%d: critical temperature reached, shutting down", "Lockdown: modprobe: unsigned module loading is restricted",
	}
	sshdMsgs = []string{
		"Accepted publickey for deploy from 10.0.0.%d port %d ssh2: RSA SHA256:abc%d", "Accepted password for root from 192.0.2.%d port %d ssh2",
		"Failed password for invalid user admin from 198.51.100.%d port %d ssh2", "Invalid user oracle from 203.0.113.%d port %d",
		"Received disconnect from 10.0.0.%d port %d:11: Bye Bye [preauth]", "Disconnected from authenticating user root 10.0.0.%d port %d [preauth]",
		"Connection closed by 10.0.0.%d port %d [preauth]", "pam_unix(sshd:session): session opened for user ubuntu(uid=1000) by (uid=0)",
		"pam_unix(sshd:session): session closed for user git", "Server listening on 0.0.0.0 port 22.", "Received signal 15; terminating.",
		"error: kex_exchange_identification: Connection closed by remote host", "User child is on pid %d",
		"Starting session: shell on pts/%d for jenkins from 10.0.0.%d port %d id 0", "Timeout, client not responding from user backup 10.0.0.%d port %d",
		"PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.%d  user=root",
		"Did not receive identification string from 10.0.0.%d port %d", "Bad protocol version identification 'GET / HTTP/1.1' from 10.0.0.%d port %d",
		"Authorized to git, krb5 principal git@EXAMPLE.COM (krb5_kuserok)", "Postponed publickey for deploy from 10.0.0.%d port %d ssh2 [preauth]",
	}
	javaFrames = []string{
		"at org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean(AbstractAutowireCapableBeanFactory.java:%d)",
		"at org.hibernate.engine.jdbc.spi.SqlExceptionHelper.logExceptions(SqlExceptionHelper.java:%d)",
		"at com.fasterxml.jackson.databind.ObjectMapper.readValue(ObjectMapper.java:%d)",
		"at io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:%d)",
		"at org.apache.kafka.clients.consumer.KafkaConsumer.poll(KafkaConsumer.java:%d)",
		"at java.base/java.util.concurrent.FutureTask.run(FutureTask.java:%d)", "at java.base/java.lang.Thread.run(Thread.java:%d)",
		"at org.eclipse.jetty.server.Server.handle(Server.java:%d)", "at com.google.common.cache.LocalCache.get(LocalCache.java:%d)",
		"at org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:%d)",
		"at com.example.billing.InvoiceService$$EnhancerBySpringCGLIB$$%d.createInvoice(<generated>)",
		"at jdk.internal.reflect.GeneratedMethodAccessor%d.invoke(Unknown Source)", "at reactor.core.publisher.Mono.block(Mono.java:%d)",
		"... %d common frames omitted", "... %d more",
		"Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after %dms.",
		"Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"app\"",
		"Caused by: java.lang.IllegalArgumentException: Could not resolve placeholder 'spring.datasource.url' in value \"${spring.datasource.url}\"",
		"Exception in thread \"main\" java.lang.NoClassDefFoundError: org/slf4j/LoggerFactory",
		"java.util.concurrent.TimeoutException: Timed out waiting for a node assignment. Call: describeTopics",
		"org.springframework.web.client.ResourceAccessException: I/O error on GET request for \"http://inventory:8080/api/items\": Read timed out",
		"WARN  [main] o.s.b.w.e.tomcat.TomcatWebServer : Tomcat initialized with port(s): 8080 (http)",
		"INFO  [main] o.s.b.StartupInfoLogger : Started Application in %d.%d seconds (JVM running for %d.%d)",
		"ERROR [pool-%d-thread-%d] c.e.o.OrderProcessor : Failed to process Order %d: Payment Declined",
		"INFO  [kafka-coordinator-heartbeat-thread | billing] o.a.k.c.c.i.AbstractCoordinator : [Consumer clientId=billing-%d, groupId=billing] Discovered group coordinator broker-%d:9092",
		"DEBUG [http-nio-8080-exec-%d] o.h.SQL : select u1_0.id, u1_0.first_name, u1_0.last_name from users u1_0 where u1_0.id=?",
		"INFO  [main] org.hibernate.Version : HHH000412: Hibernate ORM core version 6.%d.%d.Final",
		"INFO  [main] com.zaxxer.hikari.HikariDataSource : HikariPool-1 - Start completed.",
	}
	cbsMsgs = []string{
		"Info                  CBS    Loaded Servicing Stack v10.0.%d.%d with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack\\cbscore.dll",
		"Info                  CBS    Session: %d_%d initialized by client WindowsUpdateAgent, external staging directory: (null)",
		"Info                  CBS    Starting TrustedInstaller initialization.", "Info                  CBS    Ending TrustedInstaller initialization.",
		"Info                  CBS    Starting the TrustedInstaller main loop.", "Info                  CBS    TrustedInstaller service starts successfully.",
		"Info                  CBS    SQM: Initializing online with Windows opt-in: False", "Info                  CBS    SQM: Cleaning up report files older than 10 days.",
		"Info                  CBS    No startup processing required, TrustedInstaller service was not set as autostart",
		"Info                  CBS    Startup processing thread terminated normally", "Info                  CBS    Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]",
		"Info                  CBS    Appl: detect Parent, Package: Microsoft-Windows-Client-LanguagePack-Package~31bf3856ad364e35~amd64~en-US~10.0.%d.%d, Parent: Microsoft-Windows-Client-Features-Package, Disposition = Detect, VersionComp: EQ, ServiceComp: GE, BuildComp: GE, DistributionComp: GE, RevisionComp: GE, Exist: present",
		"Info                  CBS    Exec: Processing complete, session(Corruption Repairing): %d_%d [HRESULT = 0x00000000 - S_OK]",
		"Info                  CBS    Read out cached package applicability for package: Package_for_RollupFix~31bf3856ad364e35~amd64~~%d.%d, ApplicableState: 112, CurrentState:112",
		"Info                  CBS    Reboot mark set", "Info                  CBS    Winlogon: Registering for CreateSession notifications",
		"Info                  CSI    00000001@2024/5/14:10:%d.%d WcpInitialize: wcp.dll version 10.0.%d.%d (WinBuild.160101.0800)",
		"Info                  CBS    Perf: InstallUninstallChain complete.", "Info                  CBS    FinalCommitPackagesState: Started persisting state of packages",
		"Info                  DPX    Started DPX phase: Resume and Download Job", "Info                  DPX    Ended DPX phase: Resume and Download Job",
		"Warning               CBS    Unrecognized packageExtended attribute.", "Info                  CBS    Trusted Installer is shutting down because: SHUTDOWN_REASON_AUTOSTOP",
		"Info                  CBS    Windows Update Agent: Download started for Cumulative Update for Windows 11 Version 23H2 (KB50%d)",
	}
)

// fill writes a message template, its %d replaced by numbers.
func (g *nameLogGen) fill(t string) {
	for {
		i := strings.Index(t, "%d")
		if i < 0 {
			g.s(strings.ReplaceAll(t, "%%", "%"))
			return
		}
		g.s(strings.ReplaceAll(t[:i], "%%", "%"))
		g.n(1, 99999)
		t = t[i+2:]
	}
}

func (g *nameLogGen) clock() {
	g.buf = fmt.Appendf(g.buf, "%02d:%02d:%02d", g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
}

func (g *nameLogGen) line(kind string) []byte {
	g.buf = g.buf[:0]
	switch kind {
	case "logcat":
		g.buf = fmt.Appendf(g.buf, "%02d-%02d ", 1+g.r.IntN(12), 1+g.r.IntN(28))
		g.clock()
		g.buf = fmt.Appendf(g.buf, ".%03d %5d %5d ", g.r.IntN(1000), 1+g.r.IntN(32767), 1+g.r.IntN(32767))
		g.pick("V", "D", "I", "W", "E")
		g.s(" ")
		g.pick(logcatTags...)
		g.s(": ")
		g.fill(logcatMsgs[g.r.IntN(len(logcatMsgs))])
	case "hdfs":
		g.buf = fmt.Appendf(g.buf, "%02d%02d%02d %06d %d ", g.r.IntN(100), 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(240000), 1+g.r.IntN(9999))
		g.pick("INFO", "INFO", "WARN", "ERROR")
		g.s(" ")
		g.pick("dfs.DataNode$DataXceiver", "dfs.FSNamesystem", "dfs.DataNode$PacketResponder", "namenode.FSEditLog", "datanode.DataNode", "namenode.TransferFsImage", "balancer.Balancer")
		g.s(": ")
		g.fill(hdfsMsgs[g.r.IntN(len(hdfsMsgs))])
	case "kernel":
		g.pick("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
		g.buf = fmt.Appendf(g.buf, " %2d ", 1+g.r.IntN(28))
		g.clock()
		g.s(" ")
		g.pick("thinkpad", "web-01", "db-primary", "build-agent-7")
		g.buf = fmt.Appendf(g.buf, " kernel: [%d.%06d] ", g.r.IntN(9999999), g.r.IntN(1000000))
		g.fill(kernelMsgs[g.r.IntN(len(kernelMsgs))])
	case "sshd":
		g.pick("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
		g.buf = fmt.Appendf(g.buf, " %2d ", 1+g.r.IntN(28))
		g.clock()
		g.buf = fmt.Appendf(g.buf, " bastion sshd[%d]: ", 100+g.r.IntN(4194204))
		g.fill(sshdMsgs[g.r.IntN(len(sshdMsgs))])
	case "java-stack":
		if g.r.IntN(3) == 0 {
			g.buf = fmt.Appendf(g.buf, "2026-%02d-%02d ", 1+g.r.IntN(12), 1+g.r.IntN(28))
			g.clock()
			g.buf = fmt.Appendf(g.buf, ".%03d ", g.r.IntN(1000))
		} else {
			g.s("\t")
		}
		g.fill(javaFrames[g.r.IntN(len(javaFrames))])
	default: // windows-cbs
		g.buf = fmt.Appendf(g.buf, "20%02d-%02d-%02d ", 10+g.r.IntN(16), 1+g.r.IntN(12), 1+g.r.IntN(28))
		g.clock()
		g.s(", ")
		g.fill(cbsMsgs[g.r.IntN(len(cbsMsgs))])
	}
	return bytes.Clone(g.buf)
}

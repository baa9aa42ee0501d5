package kubernetes_test

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// exitInvalid is scrubd's exit code for an invalid configuration.
const exitInvalid = 78

// checkTestPod checks a `helm test` hook Pod: it runs `scrubd validate` on
// the configuration the workload runs with, with every file the
// configuration names mounted from the same ConfigMaps and Secrets at the
// same paths, as strictly confined as the workload, selected by none of the
// set's Services, PDBs and NetworkPolicies; and `scrubd validate`, run on
// those files laid out as the pod would see them, accepts them.
func (s *docSet) checkTestPod(t *testing.T, pod *corev1.Pod) {
	if pod.Annotations["helm.sh/hook"] != "test" {
		t.Fatalf("a Pod that is not a helm test hook: annotations %v", pod.Annotations)
	}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never (a test runs once)", pod.Spec.RestartPolicy)
	}
	if len(pod.Spec.Containers) != 1 || len(pod.Spec.InitContainers) != 0 {
		t.Fatalf("%d containers, %d init containers; want one container", len(pod.Spec.Containers), len(pod.Spec.InitContainers))
	}
	c := &pod.Spec.Containers[0]
	if len(c.Command) != 0 || len(c.Args) != 3 || c.Args[0] != "validate" || c.Args[1] != "--config" {
		t.Fatalf("command %v args %v, want the image's entrypoint with [validate --config FILE]", c.Command, c.Args)
	}
	if pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken {
		t.Errorf("automountServiceAccountToken must be false")
	}
	if pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks {
		t.Errorf("enableServiceLinks must be false: SCRUBD_* variables would change what is validated")
	}
	checkSecurityContext(t, pod.Spec.SecurityContext, c.SecurityContext)
	checkNoSecretEnv(t, *c)
	s.checkNotSelected(t, pod)

	var w *workload
	for _, cand := range s.workloads {
		if cand.container.Args[2] == c.Args[2] {
			w = cand
		}
	}
	if w == nil {
		t.Fatalf("validates %s, which no scrubd workload of the set runs with", c.Args[2])
	}
	vols := map[string]*corev1.Volume{}
	for i := range pod.Spec.Volumes {
		vols[pod.Spec.Volumes[i].Name] = &pod.Spec.Volumes[i]
	}
	for _, m := range c.VolumeMounts {
		if vols[m.Name] == nil {
			t.Errorf("volumeMount %s: the pod has no such volume", m.Name)
		}
	}
	// The same source at the same path for every ConfigMap and Secret the
	// chart mounts into the workload (volumes named scrubd-*; the GeoIP
	// database and extraVolumeMounts are not needed to validate).
	for _, wm := range w.container.VolumeMounts {
		wv := w.volumes[wm.Name]
		if wv == nil || wv.ConfigMap == nil && wv.Secret == nil || !strings.HasPrefix(wm.Name, "scrubd-") {
			continue
		}
		i := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == wm.MountPath })
		if i < 0 {
			t.Errorf("%s (%s) is not mounted at %s", wm.Name, source(wv), wm.MountPath)
			continue
		}
		m := c.VolumeMounts[i]
		if v := vols[m.Name]; v == nil || source(v) != source(wv) || !m.ReadOnly || m.SubPath != "" {
			t.Errorf("%s: mounts %s, the workload %s (read-only, no subPath)", wm.MountPath, source(v), source(wv))
		}
	}
	cfg := w.cfg
	k := cfg.Kafka
	for what, f := range map[string]string{
		"kafka.tls.ca_file": k.TLS.CAFile, "kafka.tls.cert_file": k.TLS.CertFile, "kafka.tls.key_file": k.TLS.KeyFile,
		"kafka.sasl.password_file": k.SASL.PasswordFile, "dead_letter.key_file": cfg.DeadLetter.KeyFile,
		"vault.master_keys.dir": cfg.Vault.MasterKeys.Dir,
	} {
		if f != "" {
			s.checkFileIn(t, what, f, c, vols, "secret")
		}
	}
	s.checkFileIn(t, "policy_file", cfg.PolicyFile, c, vols, "configMap")
	if w.policy != nil && w.policy.Keys.Dir != "" {
		s.checkFileIn(t, "policy keys.dir", w.policy.Keys.Dir, c, vols, "secret")
	}

	if w.policy == nil {
		t.Logf("policy ConfigMap not in this set (external): scrubd validate not run")
		return
	}
	bin := scrubdBinary(t)
	root := layOut(t, w)
	if out, code := runScrubd(t, bin, "validate", "--config", root+c.Args[2]); code != 0 {
		t.Errorf("scrubd validate of the rendered configuration: exit %d\n%s", code, out)
	}
	// The same with a key too short for the policy's key directory: the
	// test must be able to fail.
	if w.policy.Keys.Dir != "" {
		entries, err := os.ReadDir(root + w.policy.Keys.Dir)
		if err != nil || len(entries) == 0 {
			t.Fatalf("keys laid out: %v, %v", entries, err)
		}
		if err := os.WriteFile(filepath.Join(root+w.policy.Keys.Dir, entries[0].Name()), []byte("short"), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, code := runScrubd(t, bin, "validate", "--config", root+c.Args[2]); code != exitInvalid {
			t.Errorf("scrubd validate with a 5-byte HMAC key: exit %d, want %d\n%s", code, exitInvalid, out)
		}
	}
}

// checkNotSelected checks that no Service, PDB or NetworkPolicy of the
// set selects the test pod.
func (s *docSet) checkNotSelected(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	for _, svc := range all[*corev1.Service](s.docs) {
		if matches(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, pod.Labels) {
			t.Errorf("Service %s selects the test pod", svc.Name)
		}
	}
	for _, pdb := range all[*policyv1.PodDisruptionBudget](s.docs) {
		if matches(t, pdb.Spec.Selector, pod.Labels) {
			t.Errorf("PodDisruptionBudget %s selects the test pod", pdb.Name)
		}
	}
	for _, np := range all[*networkingv1.NetworkPolicy](s.docs) {
		if matches(t, &np.Spec.PodSelector, pod.Labels) {
			t.Errorf("NetworkPolicy %s selects the test pod", np.Name)
		}
	}
}

// source names what a volume holds: its ConfigMap or Secret.
func source(v *corev1.Volume) string {
	switch {
	case v == nil:
		return "nothing"
	case v.ConfigMap != nil:
		return "ConfigMap " + v.ConfigMap.Name
	case v.Secret != nil:
		return "Secret " + v.Secret.SecretName
	}
	return "volume " + v.Name
}

// layOut writes the files a pod of w would see under a new root directory:
// the run configuration and the policy as rendered, with their absolute
// paths moved under the root, and stand-ins for the Secrets: HMAC keys,
// vault master keys and the dead-letter key (random), a TLS certificate
// and key (self-signed), a SASL password. It returns the root.
func layOut(t *testing.T, w *workload) string {
	t.Helper()
	root := t.TempDir()
	under := func(text string) string {
		for _, dir := range []string{"/etc/scrubd/", "/var/lib/scrubd/"} {
			text = strings.ReplaceAll(text, " "+dir, " "+root+dir)
		}
		return text
	}
	write := func(path string, data []byte) {
		t.Helper()
		p := root + path
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	cfg, pol := w.cfg, w.policy
	write(w.container.Args[2], []byte(under(w.cfgText)))
	write(cfg.PolicyFile, []byte(under(w.policyText)))
	if pol.Keys.Dir != "" {
		for _, id := range []string{"k1", pol.Keys.Active} {
			if id != "" {
				write(filepath.Join(pol.Keys.Dir, id), random(32))
			}
		}
	}
	if mk := cfg.Vault.MasterKeys; cfg.Vault.Enabled && mk.Dir != "" {
		write(filepath.Join(mk.Dir, cmp.Or(mk.Active, "m1")), random(32))
	}
	if f := cfg.DeadLetter.KeyFile; f != "" {
		write(f, random(32))
	}
	if f := cfg.Kafka.SASL.PasswordFile; f != "" {
		write(f, []byte("stand-in password\n"))
	}
	if tls := cfg.Kafka.TLS; tls.CAFile != "" || tls.CertFile != "" {
		cert, key := selfSigned(t)
		for _, f := range []string{tls.CAFile, tls.CertFile} {
			if f != "" {
				write(f, cert)
			}
		}
		if tls.KeyFile != "" {
			write(tls.KeyFile, key)
		}
	}
	return root
}

// selfSigned returns a PEM certificate and its PEM private key.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scrubd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// binDir holds the scrubd binary built for this test process; TestMain
// removes it.
var binDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "scrubd-deploy-test-") })

// buildScrubd builds ./cmd/scrubd once per test process.
var buildScrubd = sync.OnceValues(func() (string, error) {
	dir, err := binDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "scrubd")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/scrubd").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := binDir(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// scrubdBinary returns the scrubd binary, built on first use.
func scrubdBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build scrubd")
	}
	bin, err := buildScrubd()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// runScrubd runs the binary with an environment that holds no SCRUBD_
// variable, and returns its output and exit code.
func runScrubd(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	t.Fatalf("run scrubd: %v", err)
	return "", -1
}

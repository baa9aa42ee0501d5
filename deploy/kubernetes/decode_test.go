package kubernetes_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// doc is one decoded Kubernetes object with where it came from.
type doc struct {
	source string // file name and document index, for messages
	kind   string // apiVersion/kind
	name   string
	obj    any // pointer to the typed object
}

// newObject returns an empty typed object for apiVersion/kind. Custom
// resources get the minimal structs below, which hold only the fields these
// manifests use: strict decoding then rejects any other field, typos included.
func newObject(kind string) (any, error) {
	switch kind {
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, nil
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1/Service":
		return &corev1.Service{}, nil
	case "v1/Pod":
		return &corev1.Pod{}, nil
	case "v1/Secret":
		return &corev1.Secret{}, nil
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, nil
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}, nil
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &ServiceMonitor{}, nil
	case "monitoring.coreos.com/v1/PrometheusRule":
		return &PrometheusRule{}, nil
	case "keda.sh/v1alpha1/ScaledObject":
		return &ScaledObject{}, nil
	case "keda.sh/v1alpha1/TriggerAuthentication":
		return &TriggerAuthentication{}, nil
	}
	return nil, fmt.Errorf("kind %s is not one these checks know; add it to newObject", kind)
}

// decodeAll splits a multi-document YAML stream and decodes every document
// strictly (unknown and duplicate fields are errors) into its typed object.
func decodeAll(source string, data []byte) ([]doc, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []doc
	var errs []error
	for i := 0; ; i++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: split documents: %w", source, err)
		}
		if isEmptyDoc(raw) {
			continue
		}
		src := fmt.Sprintf("%s#%d", source, i)
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(raw, &tm); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
			continue
		}
		kind := tm.APIVersion + "/" + tm.Kind
		obj, err := newObject(kind)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
			continue
		}
		if err := yaml.UnmarshalStrict(raw, obj); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): strict decode: %w", src, kind, err))
			continue
		}
		name := ""
		if o, ok := obj.(metav1.Object); ok {
			name = o.GetName()
		}
		if name == "" {
			errs = append(errs, fmt.Errorf("%s (%s): no metadata.name", src, kind))
		}
		docs = append(docs, doc{source: src, kind: kind, name: name, obj: obj})
	}
	return docs, errors.Join(errs...)
}

// isEmptyDoc reports whether a document holds only comments and blank lines.
func isEmptyDoc(b []byte) bool {
	for _, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			return false
		}
	}
	return true
}

// TestStrictDecodingRejectsUnknownFields shows that the decoding used here
// fails on a misspelt field, for a built-in kind and for a custom resource.
func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	cases := map[string]string{
		"deployment": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 3\n",
		"container":  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b, readinesProbe: {}}]\n",
		"servicemon": "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\nspec:\n  endpoints: [{port: m, intervall: 30s}]\n",
		"keda":       "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  maxReplicas: 3\n",
		"duplicate":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\ndata: {c: d}\n",
		"kind":       "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: x}\n",
	}
	for name, y := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeAll(name, []byte(y)); err == nil {
				t.Errorf("decoded without error:\n%s", y)
			}
		})
	}
	ok := "# comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n"
	docs, err := decodeAll("ok", []byte(ok))
	if err != nil || len(docs) != 1 {
		t.Errorf("valid stream: %d docs, err %v", len(docs), err)
	}
}

// Custom resources: only the fields used, so that anything else is an error.

// ServiceMonitor is monitoring.coreos.com/v1 ServiceMonitor (Prometheus Operator).
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ServiceMonitorSpec `json:"spec"`
}

// ServiceMonitorSpec is the subset of the spec used.
type ServiceMonitorSpec struct {
	JobLabel          string                `json:"jobLabel,omitempty"`
	Selector          metav1.LabelSelector  `json:"selector"`
	NamespaceSelector *NamespaceSelector    `json:"namespaceSelector,omitempty"`
	Endpoints         []ServiceMonitorEndpt `json:"endpoints"`
}

// NamespaceSelector selects the namespaces of the Services.
type NamespaceSelector struct {
	Any        bool     `json:"any,omitempty"`
	MatchNames []string `json:"matchNames,omitempty"`
}

// ServiceMonitorEndpt is one scraped endpoint.
type ServiceMonitorEndpt struct {
	Port              string          `json:"port"`
	Path              string          `json:"path,omitempty"`
	Scheme            string          `json:"scheme,omitempty"`
	Interval          string          `json:"interval,omitempty"`
	ScrapeTimeout     string          `json:"scrapeTimeout,omitempty"`
	HonorLabels       bool            `json:"honorLabels,omitempty"`
	Relabelings       []RelabelConfig `json:"relabelings,omitempty"`
	MetricRelabelings []RelabelConfig `json:"metricRelabelings,omitempty"`
}

// RelabelConfig is a Prometheus relabelling rule in the operator's spelling.
type RelabelConfig struct {
	SourceLabels []string `json:"sourceLabels,omitempty"`
	Separator    string   `json:"separator,omitempty"`
	TargetLabel  string   `json:"targetLabel,omitempty"`
	Regex        string   `json:"regex,omitempty"`
	Modulus      uint64   `json:"modulus,omitempty"`
	Replacement  string   `json:"replacement,omitempty"`
	Action       string   `json:"action,omitempty"`
}

// PrometheusRule is monitoring.coreos.com/v1 PrometheusRule.
type PrometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Groups []RuleGroup `json:"groups"`
	} `json:"spec"`
}

// RuleGroup is a Prometheus rule group.
type RuleGroup struct {
	Name     string `json:"name"`
	Interval string `json:"interval,omitempty"`
	Rules    []Rule `json:"rules"`
}

// Rule is an alerting or recording rule.
type Rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ScaledObject is keda.sh/v1alpha1 ScaledObject.
type ScaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ScaledObjectSpec `json:"spec"`
}

// ScaledObjectSpec is the subset of the spec used.
type ScaledObjectSpec struct {
	ScaleTargetRef struct {
		APIVersion string `json:"apiVersion,omitempty"`
		Kind       string `json:"kind,omitempty"`
		Name       string `json:"name"`
	} `json:"scaleTargetRef"`
	PollingInterval *int32 `json:"pollingInterval,omitempty"`
	CooldownPeriod  *int32 `json:"cooldownPeriod,omitempty"`
	MinReplicaCount *int32 `json:"minReplicaCount,omitempty"`
	MaxReplicaCount *int32 `json:"maxReplicaCount,omitempty"`
	Advanced        *struct {
		HorizontalPodAutoscalerConfig *struct {
			Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
		} `json:"horizontalPodAutoscalerConfig,omitempty"`
	} `json:"advanced,omitempty"`
	Triggers []ScaleTrigger `json:"triggers"`
}

// ScaleTrigger is one KEDA trigger.
type ScaleTrigger struct {
	Type              string            `json:"type"`
	Metadata          map[string]string `json:"metadata"`
	AuthenticationRef *struct {
		Name string `json:"name"`
	} `json:"authenticationRef,omitempty"`
}

// TriggerAuthentication is keda.sh/v1alpha1 TriggerAuthentication.
type TriggerAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		SecretTargetRef []struct {
			Parameter string `json:"parameter"`
			Name      string `json:"name"`
			Key       string `json:"key"`
		} `json:"secretTargetRef"`
	} `json:"spec"`
}

// Package kafkatest injects faults into the fake broker (kfake) that tests
// run scrubd against: answers a real cluster gives under failure, made to
// order. Only tests import it.
package kafkatest

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// FailTxnOffsetCommits makes c answer transactional offset commits with err
// for every partition they name: the first times of them, or all from now
// on when times is 0 or less. An abortable error such as
// kerr.UnknownMemberID makes the committer abort the transaction and commit
// the batch again. The returned channel is closed when the first commit has
// been failed.
func FailTxnOffsetCommits(c *kfake.Cluster, err *kerr.Error, times int) <-chan struct{} {
	failed := make(chan struct{})
	var mu sync.Mutex
	n := 0
	c.ControlKey(int16(kmsg.TxnOffsetCommit), func(r kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		if times > 0 && n >= times {
			return nil, nil, false
		}
		n++
		if times <= 0 || n < times {
			c.KeepControl()
		}
		if n == 1 {
			close(failed)
		}
		return txnOffsetCommitError(r.(*kmsg.TxnOffsetCommitRequest), err.Code), nil, true
	})
	return failed
}

// txnOffsetCommitError answers req with code for each of its partitions.
func txnOffsetCommitError(req *kmsg.TxnOffsetCommitRequest, code int16) *kmsg.TxnOffsetCommitResponse {
	resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
	resp.Version = req.Version
	for _, tp := range req.Topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic = tp.Topic
		for _, p := range tp.Partitions {
			rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
			rp.Partition = p.Partition
			rp.ErrorCode = code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

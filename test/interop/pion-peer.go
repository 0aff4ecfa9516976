// The remote end of test/interop/pion.test.js: a pion (Go) peer with one data channel, signalled by
// JSON lines on stdin/stdout. `offer`: it offers and creates the channel; `answer`: it answers.
// On the channel it answers "ping N" with "pong N", checks the 16 KiB binary chunks it is sent
// (chunk i holds i & 0xff in every byte), reports them after 256, and then sends the same 256
// chunks back. Built by the test with Debian's golang-go and golang-github-pion-webrtc.v3-dev.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v3"
)

const chunk = 16 * 1024
const chunks = 256

type line struct {
	Type   string `json:"type"`
	SDP    string `json:"sdp,omitempty"`
	Chunks int    `json:"chunks,omitempty"`
	Bad    int    `json:"bad,omitempty"`
	Error  string `json:"error,omitempty"`
}

var out = json.NewEncoder(os.Stdout)
var outMu sync.Mutex

func say(l line) {
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(l)
}

func fail(err error) {
	say(line{Type: "error", Error: err.Error()})
	os.Exit(1)
}

// serve answers pings and checks, then returns, the bulk data on `dc`.
func serve(dc *webrtc.DataChannel) {
	received, bad := 0, 0
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if m.IsString {
			if err := dc.SendText(strings.Replace(string(m.Data), "ping", "pong", 1)); err != nil {
				fail(err)
			}
			return
		}
		if len(m.Data) != chunk {
			bad++
		} else {
			for _, b := range m.Data {
				if b != byte(received&0xff) {
					bad++
					break
				}
			}
		}
		received++
		if received < chunks {
			return
		}
		say(line{Type: "bulk", Chunks: received, Bad: bad})
		go func() {
			for i := 0; i < chunks; i++ {
				// Polled: waiting for OnBufferedAmountLow hung after 1 MiB on a channel the other
				// end opened (with us and with @roamhq/wrtc alike).
				for dc.BufferedAmount() > 1024*1024 {
					time.Sleep(2 * time.Millisecond)
				}
				data := make([]byte, chunk)
				for j := range data {
					data[j] = byte(i & 0xff)
				}
				if err := dc.Send(data); err != nil {
					fail(err)
				}
			}
		}()
	})
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "offer" && os.Args[1] != "answer") {
		fmt.Fprintln(os.Stderr, "usage: pion-peer offer|answer")
		os.Exit(2)
	}
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true) // the test's namespace has only the loopback interface
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		fail(err)
	}
	defer pc.Close()
	pc.OnDataChannel(serve)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	next := func() line {
		if !in.Scan() {
			os.Exit(0) // the test ended
		}
		var l line
		if err := json.Unmarshal(in.Bytes(), &l); err != nil {
			fail(err)
		}
		return l
	}
	// A complete description: the test trickles nothing.
	local := func(sdp webrtc.SessionDescription) {
		gathered := webrtc.GatheringCompletePromise(pc)
		if err := pc.SetLocalDescription(sdp); err != nil {
			fail(err)
		}
		<-gathered
		say(line{Type: pc.LocalDescription().Type.String(), SDP: pc.LocalDescription().SDP})
	}
	if os.Args[1] == "offer" {
		dc, err := pc.CreateDataChannel("x", nil)
		if err != nil {
			fail(err)
		}
		serve(dc)
		offer, err := pc.CreateOffer(nil)
		if err != nil {
			fail(err)
		}
		local(offer)
		answer := next()
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
			fail(err)
		}
	} else {
		offer := next()
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP}); err != nil {
			fail(err)
		}
		answer, err := pc.CreateAnswer(nil)
		if err != nil {
			fail(err)
		}
		local(answer)
	}
	for {
		next() // until stdin closes
	}
}

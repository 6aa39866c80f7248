package dev.slipway.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The DNS zone Slipway answers for itself, so that DNS-01 validation needs no DNS provider's API: the owner of a
 * domain creates, once, a CNAME from {@code _acme-challenge.<domain>} to {@code <label>.<zone>} (the
 * CertificateValidationRecord App Runner shapes), delegates {@code <zone>} to Slipway with an NS record, and Slipway
 * answers the TXT query at {@code <label>.<zone>} with the current challenge's digest: at the first issue and at every
 * renewal, as acme-dns does. Each domain's label is fixed (a hash of the domain), so the CNAME never changes.
 * Answers are authoritative, with a TTL of 1 s; names it does not know get an empty answer with the zone's SOA.
 */
public final class AcmeDnsZone implements AutoCloseable {
    private static final int TTL = 1;

    private final String zone;
    private final EventLoopGroup group;
    private final Channel channel;
    /** TXT values by the lower-case name they are served at. */
    private final Map<String, List<String>> records = new ConcurrentHashMap<>();

    private AcmeDnsZone(String zone, EventLoopGroup group, Channel channel) {
        this.zone = zone;
        this.group = group;
        this.channel = channel;
    }

    /** Answers for {@code zone} over UDP on {@code host:port} (port 0: a free one; 53 is DNS's). */
    public static AcmeDnsZone start(String zone, String host, int port) {
        String z = zone.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("slipway-acme-dns", true), NioIoHandler.newFactory());
        AcmeDnsZone[] self = new AcmeDnsZone[1];
        try {
            Channel ch = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(new ChannelInitializer<DatagramChannel>() {
                @Override
                protected void initChannel(DatagramChannel c) {
                    c.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                            new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                    ctx.writeAndFlush(self[0].answer(query));
                                }
                            });
                }
            }).bind(host, port).syncUninterruptibly().channel();
            self[0] = new AcmeDnsZone(z, group, ch);
            return self[0];
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot answer DNS for " + z + " on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another address with --acme-dns-bind", e);
        }
    }

    /** The zone, lower case. */
    public String zone() {
        return zone;
    }

    /** The UDP port it answers on. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Where the CNAME of {@code domain}'s {@code _acme-challenge} name points: a fixed label of its own in the zone. */
    public String target(String domain) {
        String base = domain.toLowerCase(Locale.ROOT).replaceAll("^\\*\\.", "");
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(base.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16) + "." + zone;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serves {@code values} as the TXT records of {@code target(domain)}. */
    public void publish(String domain, List<String> values) {
        records.put(target(domain), List.copyOf(values));
    }

    public void remove(String domain) {
        records.remove(target(domain));
    }

    private DatagramDnsResponse answer(DatagramDnsQuery query) {
        DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
        response.setRecursionDesired(query.isRecursionDesired());
        DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        if (question == null) {
            response.setCode(DnsResponseCode.FORMERR);
            return response;
        }
        response.addRecord(DnsSection.QUESTION, question);
        String name = question.name().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        if (!name.equals(zone) && !name.endsWith("." + zone)) {
            response.setCode(DnsResponseCode.REFUSED); // not ours
            return response;
        }
        response.setAuthoritativeAnswer(true);
        List<String> values = records.get(name);
        if (values != null && (question.type() == DnsRecordType.TXT || question.type() == DnsRecordType.ANY)) {
            for (String v : values) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.TXT, TTL, txt(v)));
            }
        } else {
            response.addRecord(DnsSection.AUTHORITY, soa());
        }
        return response;
    }

    private static ByteBuf txt(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = io.netty.buffer.Unpooled.buffer(bytes.length + 1);
        b.writeByte(bytes.length);
        b.writeBytes(bytes);
        return b;
    }

    /** The zone's SOA: the name servers are Slipway, negative answers are cached for 1 s. */
    private DnsRecord soa() {
        ByteBuf b = io.netty.buffer.Unpooled.buffer();
        writeName(b, "ns." + zone);
        writeName(b, "hostmaster." + zone);
        b.writeInt(1).writeInt(60).writeInt(60).writeInt(600).writeInt(TTL); // serial, refresh, retry, expire, minimum
        return new DefaultDnsRawRecord(zone + ".", DnsRecordType.SOA, TTL, b);
    }

    private static void writeName(ByteBuf b, String name) {
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            b.writeByte(bytes.length);
            b.writeBytes(bytes);
        }
        b.writeByte(0);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

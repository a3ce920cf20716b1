import { Divisions } from '@herald/auth';
import { Injectable } from '@nestjs/common';
import { countSmsSegments, MAX_SMS_CHARACTERS, SmsEncoding } from '@herald/channels';
import { ContactClearedV1, DeliveryResultV1, EmailRenderedV1, resultFor, SmsRenderedV1, Topic } from '@herald/contracts';
import { ConsumedEvent, EventPublisher, OutgoingEvent } from '@herald/messaging';
import { ResponseEntity } from '../responses/response.entity';
import { ResponsesService } from '../responses/responses.service';
import { compileEmailTemplate, EmailTemplate, emailTemplateProblem, emailTooLong, MissingByPart, renderEmail, RenderedEmail } from './email-template';
import { parseTemplate, ParsedTemplate, renderTemplate } from './template-engine';

interface CachedTemplate {
  division: string;
  body: ParsedTemplate;
  /** The email parts, or why the template cannot word an email. */
  email: EmailTemplate | { problem: string };
  defaults: Map<string, string>;
  loadedAt: number;
}

const CACHE_TTL_MS = 5_000;

/** The template a preview caller may see: another division's is as absent as a missing one (`template-not-found`). */
function visibleTo(divisions: Divisions, templates: Map<string, CachedTemplate>, id: string | undefined): Map<string, CachedTemplate> {
  const template = id === undefined ? undefined : templates.get(id);
  return template && divisions.has(template.division) ? new Map([[id!, template]]) : new Map();
}

type RenderFailure = { ok: false; reason: 'template-not-found' | 'render-failed' | 'message-too-long'; detail: string; missing?: string[] };

export type SmsRenderOutcome = { ok: true; body: string; encoding: SmsEncoding; segments: number } | RenderFailure;

/** An email's subject and bodies, or why there is none (with the values each part lacks). */
export type EmailRenderOutcome = { ok: true; email: RenderedEmail } | (RenderFailure & { missingIn?: MissingByPart });

/**
 * The render stage: each cleared contact's message is filled from its own column values (or the
 * substitution's default), taken from its message column, or, for an agentless message sent with
 * a `textBody`, is that body as given. A contact missing a value without a default is a per-contact failure
 * with the names of the missing values, never a message with a hole in it.
 */
@Injectable()
export class RendererService {
  private readonly cache = new Map<string, CachedTemplate>();

  constructor(
    private readonly responses: ResponsesService,
    private readonly publisher: EventPublisher,
  ) {}

  private compile(r: ResponseEntity): CachedTemplate {
    const text = r.texts.find((t) => t.type !== 'subject') ?? r.texts[0]!;
    const problem = r.responseType === 'CampaignEmailTemplate' ? emailTemplateProblem(r.texts) : `template ${r.id} is a ${r.responseType}, not a CampaignEmailTemplate`;
    return {
      division: r.division,
      body: parseTemplate(text.content),
      email: problem ? { problem } : compileEmailTemplate(r.texts),
      defaults: new Map(r.substitutions.filter((s) => s.defaultValue !== undefined).map((s) => [s.id, s.defaultValue!])),
      loadedAt: Date.now(),
    };
  }

  private async templates(ids: string[]): Promise<Map<string, CachedTemplate>> {
    const now = Date.now();
    const stale = ids.filter((id) => (this.cache.get(id)?.loadedAt ?? 0) < now - CACHE_TTL_MS);
    const wanted = [...new Set(stale)];
    const found = await this.responses.getMany(wanted);
    for (const id of wanted) this.cache.delete(id); // a deleted template must stop rendering
    for (const r of found) this.cache.set(r.id, this.compile(r));
    return this.cache;
  }

  /**
   * One contact's SMS: the body, its encoding and segments, or why there is none. The one place
   * that renders, for the render stage and the pre-launch preview (`POST /internal/rendering/sms-preview`).
   */
  renderSms(templates: Map<string, CachedTemplate>, source: { templateId?: string; messageColumn?: string; body?: string }, contactData: Record<string, string>): SmsRenderOutcome {
    let body: string;
    if (source.templateId) {
      const template = templates.get(source.templateId);
      if (!template) return { ok: false, reason: 'template-not-found', detail: `template ${source.templateId} does not exist` };
      const result = renderTemplate(template.body, (name) => valueOf(contactData, template, name));
      if (!result.ok) return { ok: false, reason: 'render-failed', detail: `no value and no default for: ${result.missing.join(', ')}`, missing: result.missing };
      body = result.text;
    } else if (source.body !== undefined) {
      body = source.body; // an agentless message's literal textBody
    } else {
      const column = source.messageColumn ?? '';
      const v = Object.prototype.hasOwnProperty.call(contactData, column) ? contactData[column] : undefined;
      if (!v) return { ok: false, reason: 'render-failed', detail: `message column "${column}" is empty` };
      body = v;
    }
    if (body.length > MAX_SMS_CHARACTERS) {
      return { ok: false, reason: 'message-too-long', detail: `message has ${body.length} characters; at most ${MAX_SMS_CHARACTERS} are allowed` };
    }
    const { encoding, segments } = countSmsSegments(body);
    return { ok: true, body, encoding, segments };
  }

  /**
   * One contact's email from an email template: subject, HTML and text, or why there is none. The
   * one place that renders emails, for the render stage and the pre-launch preview
   * (`POST /internal/rendering/email-preview`).
   */
  renderEmail(templates: Map<string, CachedTemplate>, templateId: string | undefined, contactData: Record<string, string>): EmailRenderOutcome {
    if (!templateId) return { ok: false, reason: 'render-failed', detail: 'an email needs a template' };
    const template = templates.get(templateId);
    if (!template) return { ok: false, reason: 'template-not-found', detail: `template ${templateId} does not exist` };
    if ('problem' in template.email) return { ok: false, reason: 'render-failed', detail: template.email.problem };
    const result = renderEmail(template.email, (name) => valueOf(contactData, template, name));
    if (!result.ok) return { ok: false, reason: 'render-failed', detail: `no value and no default for: ${result.missing.join(', ')}`, missing: result.missing, missingIn: result.missingIn };
    const tooLong = emailTooLong(result.email);
    if (tooLong) return { ok: false, reason: 'message-too-long', detail: tooLong };
    return { ok: true, email: result.email };
  }

  /** The render stage's outcome for each contact, without publishing (the pre-launch preview). */
  async previewSms(source: { templateId?: string; messageColumn?: string }, contacts: Record<string, string>[], divisions: Divisions): Promise<SmsRenderOutcome[]> {
    const templates = visibleTo(divisions, await this.templates(source.templateId ? [source.templateId] : []), source.templateId);
    return contacts.map((data) => this.renderSms(templates, source, data));
  }

  /** The render stage's outcome for each contact of an email campaign, without publishing (the pre-launch preview). */
  async previewEmail(templateId: string, contacts: Record<string, string>[], divisions: Divisions): Promise<EmailRenderOutcome[]> {
    const templates = visibleTo(divisions, await this.templates([templateId]), templateId);
    return contacts.map((data) => this.renderEmail(templates, templateId, data));
  }

  async render(events: ConsumedEvent<ContactClearedV1>[]): Promise<void> {
    const templates = await this.templates(events.flatMap((e) => (e.data.templateId ? [e.data.templateId] : [])));
    const rendered: OutgoingEvent<SmsRenderedV1>[] = [];
    const emails: OutgoingEvent<EmailRenderedV1>[] = [];
    const failed: OutgoingEvent<DeliveryResultV1>[] = [];
    for (const { data, envelope } of events) {
      const fail = (reason: string, detail: string) => failed.push({ key: data.messageId, causedBy: envelope, data: resultFor(data, 'failed', { reason, detail }) });
      if (data.channel === 'email') {
        const outcome = this.renderEmail(templates, data.templateId, data.contactData);
        if (!outcome.ok) fail(outcome.reason, outcome.detail);
        else {
          const email = { ...messageRefsOf(data), from: data.senderAddress, fromName: data.senderName, replyTo: data.replyTo, to: data.address, ...outcome.email };
          emails.push({ key: data.messageId, subject: data.messageId, causedBy: envelope, data: email });
        }
        continue;
      }
      const outcome = this.renderSms(templates, data, data.contactData);
      if (!outcome.ok) {
        fail(outcome.reason, outcome.detail);
        continue;
      }
      rendered.push({
        key: data.messageId,
        subject: data.messageId,
        causedBy: envelope,
        data: {
          ...messageRefsOf(data),
          from: data.senderAddress,
          to: data.address,
          body: outcome.body,
          encoding: outcome.encoding,
          segments: outcome.segments,
        },
      });
    }
    await this.publisher.publishAll([
      { topic: Topic.SmsRendered, events: rendered },
      { topic: Topic.EmailRendered, events: emails },
      { topic: Topic.DeliveryResult, events: failed },
    ]);
  }
}

/** What a rendered message carries over from the cleared contact: its id and references. */
function messageRefsOf(data: ContactClearedV1) {
  const { messageId, campaignId, runId, contactListId, contactId, division } = data;
  return { messageId, campaignId, runId, contactListId, contactId, division };
}

/** A contact's value for a substitution, else the substitution's default; empty counts as missing. */
function valueOf(contactData: Record<string, string>, template: CachedTemplate, name: string): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(contactData, name) ? contactData[name] : undefined;
  return v !== undefined && v !== '' ? v : template.defaults.get(name);
}

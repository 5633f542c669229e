import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireActor, requireOwnProgramme } from '../../http/auth.js';
import { programmesWhere } from '../../people/actor.js';
import { requestLanguage } from '../../http/language.js';
import { describeProcess } from '../../process/describe.js';
import { allAreas } from '../../programmes/config.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { ideaTemplateSchema, processSchema, programmeListSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface ProcessRouteDeps {
  programmes: Pick<ProgrammeService, 'get' | 'ideaTemplate'>;
}

/** The process as data, and the caller's programme with its idea template. */
export const processRoutes: FastifyPluginAsyncZod<ProcessRouteDeps> = async (app, { programmes }) => {
  app.get(
    '/process',
    {
      schema: {
        tags: ['process'],
        summary: 'The process: steps, states, events with payload schemas and roles, requirements',
        response: answers({ 200: processSchema }),
      },
    },
    async () => describeProcess(),
  );

  app.get(
    '/programmes',
    {
      schema: {
        tags: ['programmes'],
        summary: 'The programmes the caller holds a role in',
        response: answers({ 200: programmeListSchema }, 401),
      },
      preValidation: requireActor,
    },
    async (request) => ({ items: programmesWhere(request.actor!).map((id) => programmes.get(id)!) }),
  );

  app.get(
    '/programmes/:programmeId/idea-template',
    {
      schema: {
        tags: ['programmes'],
        summary: "The programme's idea template (mall för idébeskrivning), with Swedish and English labels",
        params: programmeParams,
        response: answers({ 200: ideaTemplateSchema }, 401, 404),
      },
      preValidation: requireActor,
    },
    async (request) => {
      const { programmeId } = request.params;
      requireOwnProgramme(request, programmeId);
      const config = programmes.get(programmeId)!;
      const template = programmes.ideaTemplate(programmeId)!;
      return {
        ...template,
        language: requestLanguage(request),
        fields: template.fields.map((f) => ({
          ...f,
          options:
            f.options === 'priorityAreas'
              ? allAreas(config).map((a) => ({
                  value: a.id,
                  label: a.label,
                  parent: a.parentId,
                  ...(a.guidingQuestions?.length ? { guidingQuestions: a.guidingQuestions } : {}),
                }))
              : f.options,
        })),
      };
    },
  );
};

# API image for docker-compose: runs migrations at start, then serves GraphQL on :4000.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json .swcrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run prisma:generate
ENV NODE_ENV=production PORT=4000
EXPOSE 4000
CMD ["npm", "start"]
